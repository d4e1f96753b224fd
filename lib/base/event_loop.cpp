// lib/base/event_loop.cpp - libevent owner types and registration helpers
#include "lib/base/event_loop.h"

#include <sys/time.h>

namespace tern {

Result<EventBasePtr> make_event_base() {
    EventBasePtr base{event_base_new()};
    if (!base) return fail(Retry::Temporary, "event_base_new failed");
    return base;
}

namespace detail {
Result<EventPtr> new_event(event_base* base, evutil_socket_t fd, short what, event_callback_fn callback,
                           void* arg) {
    EventPtr ev{event_new(base, fd, what, callback, arg)};
    if (!ev) return fail(Retry::Temporary, "event_new failed");
    return ev;
}
}  // namespace detail

Status add_event(event* ev, long long timeout_ms) {
    int rc = 0;
    if (timeout_ms < 0) {
        rc = event_add(ev, nullptr);
    } else {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout_ms / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout_ms % 1000) * 1000);
        rc = event_add(ev, &tv);
    }
    if (rc != 0) return fail(Retry::Temporary, "event_add failed");
    return {};
}

void remove_event(event* ev) noexcept {
    if (ev != nullptr) event_del(ev);
}

}  // namespace tern
