// lib/base/event_loop.h - owner types and callback trampolines for libevent
//
// SYNOPSIS
//     tern::Result<tern::EventBasePtr> base = tern::make_event_base();
//     tern::Result<tern::EventPtr> ev =
//         tern::make_event<&Session::on_read>(base->get(), fd, EV_READ | EV_PERSIST, this);
//     tern::Result<tern::EventPtr> sig = tern::make_signal_event<&Server::on_term>(base, SIGTERM, this);
//     tern::Result<tern::EventPtr> tick = tern::make_timer<&Server::on_tick>(base, this);
//     tern::Status s = tern::add_event(ev->get(), 5000);    // timeout in ms, -1: none
// DESCRIPTION
//     Every libevent object has one owner: EventBasePtr, EventPtr,
//     ListenerPtr and BufferEventPtr are std::unique_ptr with the library's
//     free function as deleter, so an object that owns its events frees
//     them when it goes away and no callback outlives its owner.
//     make_event<&T::method> binds a member function through a noexcept
//     trampoline: libevent calls a plain C function, which calls
//     (obj->*method)(fd, what). The method itself must be noexcept; an
//     exception escaping a callback is a bug and terminates the process.
// ERRORS
//     A libevent allocation or registration failure is a Temporary error.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <memory>

#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace tern {

using EventBasePtr = std::unique_ptr<event_base, CFree<event_base_free>>;
using EventPtr = std::unique_ptr<event, CFree<event_free>>;
using ListenerPtr = std::unique_ptr<evconnlistener, CFree<evconnlistener_free>>;
using BufferEventPtr = std::unique_ptr<bufferevent, CFree<bufferevent_free>>;

[[nodiscard]] Result<EventBasePtr> make_event_base();

// The member function an event calls: void T::method(evutil_socket_t, short) noexcept.
template <class T>
using EventMethod = void (T::*)(evutil_socket_t, short) noexcept;

namespace detail {
template <class T, EventMethod<T> Method>
void event_trampoline(evutil_socket_t fd, short what, void* arg) noexcept {
    (static_cast<T*>(arg)->*Method)(fd, what);
}

template <class T>
struct MethodClass;
template <class T>
struct MethodClass<void (T::*)(evutil_socket_t, short) noexcept> {
    using type = T;
};

[[nodiscard]] Result<EventPtr> new_event(event_base* base, evutil_socket_t fd, short what,
                                         event_callback_fn callback, void* arg);
}  // namespace detail

// An event on fd (or a signal number with EV_SIGNAL, or -1 for a timer)
// whose callback is obj->*Method.
template <auto Method>
[[nodiscard]] Result<EventPtr> make_event(event_base* base, evutil_socket_t fd, short what,
                                          typename detail::MethodClass<decltype(Method)>::type* obj) {
    using T = typename detail::MethodClass<decltype(Method)>::type;
    return detail::new_event(base, fd, what, &detail::event_trampoline<T, Method>, obj);
}

template <auto Method>
[[nodiscard]] Result<EventPtr> make_timer(event_base* base, typename detail::MethodClass<decltype(Method)>::type* obj) {
    return make_event<Method>(base, -1, 0, obj);
}

template <auto Method>
[[nodiscard]] Result<EventPtr> make_signal_event(event_base* base, int signal_number,
                                                 typename detail::MethodClass<decltype(Method)>::type* obj) {
    return make_event<Method>(base, signal_number, EV_SIGNAL | EV_PERSIST, obj);
}

// Adds (or re-arms) an event; timeout_ms < 0 means no timeout.
[[nodiscard]] Status add_event(event* ev, long long timeout_ms = -1);
// Removes an event from the loop; harmless when it is not pending.
void remove_event(event* ev) noexcept;

}  // namespace tern
