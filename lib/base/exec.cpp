// lib/base/exec.cpp - replace the process with another program (see exec.h)
#include "lib/base/exec.h"

#include <unistd.h>

#include <cerrno>

namespace tern {

Error exec_program(const std::string& path, std::vector<std::string> words) {
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    const int saved = errno;
    const Retry retry = (saved == ENOENT || saved == EACCES) ? Retry::Permanent : Retry::Temporary;
    return Error{retry, "execute " + path, saved};
}

}  // namespace tern
