#pragma once
// Small POSIX helpers shared by the launcher, the watchdog, the supervisor and the log files.

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <system_error>

namespace ephemery::runtime {

// The text of an errno value, for error messages.
inline std::string error_text(int error_number) {
    return std::generic_category().message(error_number);
}

// Moves a new descriptor above 0-2 (a program started with a standard descriptor closed may get one back from
// socketpair or pipe), so a later dup2 onto a standard descriptor never meets it. Returns -1 if the move failed.
inline int above_standard_descriptors(int fd) {
    if (fd < 0 || fd > STDERR_FILENO) return fd;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    ::close(fd);
    return moved;
}

}  // namespace ephemery::runtime
