// lib/base/fd.h - own one file descriptor
//
// SYNOPSIS
//     tern::Fd fd{::open(path, O_RDONLY | O_CLOEXEC)};
//     if (!fd) ...;  read(fd.get(), ...);  int raw = fd.release();
// DESCRIPTION
//     Fd closes its descriptor when it goes out of scope. It is move-only,
//     so a descriptor has exactly one owner. Every other file in the tree
//     holds descriptors in an Fd; nothing else calls close(2).
// LIMITS
//     A negative value means "no descriptor". reset() ignores close(2)
//     errors: the descriptor is gone either way and there is no retry.
#pragma once

#include <unistd.h>

#include <utility>

namespace tern {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Frees a C object through its library's free function, for unique_ptr.
template <auto FreeFn>
struct CFree {
    template <class T>
    void operator()(T* p) const noexcept { FreeFn(p); }
};

}  // namespace tern
