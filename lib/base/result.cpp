// lib/base/result.cpp - text of an Error
#include "lib/base/result.h"

#include <cstring>

namespace tern {

std::string Error::describe() const {
    if (errno_value == 0) return text;
    return text + ": " + std::strerror(errno_value);
}

}  // namespace tern
