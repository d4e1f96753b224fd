// tests/unit/event_loop_test.cpp - libevent owners and the member trampoline
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"

namespace {

struct Counter {
    event_base* base = nullptr;
    int reads = 0;
    int timeouts = 0;
    int signals = 0;
    short last_what = 0;

    void on_read(evutil_socket_t fd, short what) noexcept {
        char byte = 0;
        if (::read(fd, &byte, 1) == 1) ++reads;
        last_what = what;
        event_base_loopbreak(base);
    }
    void on_timer(evutil_socket_t, short what) noexcept {
        ++timeouts;
        last_what = what;
        event_base_loopbreak(base);
    }
    void on_signal(evutil_socket_t, short) noexcept {
        ++signals;
        event_base_loopbreak(base);
    }
};

}  // namespace

TEST_CASE("event loop: a readable descriptor calls the member", "[event_loop]") {
    auto base = tern::make_event_base();
    REQUIRE(base);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    tern::Fd read_end{fds[0]};
    tern::Fd write_end{fds[1]};
    Counter counter{base->get()};
    auto ev = tern::make_event<&Counter::on_read>(base->get(), read_end.get(), EV_READ | EV_PERSIST, &counter);
    REQUIRE(ev);
    REQUIRE(tern::add_event(ev->get()));
    REQUIRE(::write(write_end.get(), "x", 1) == 1);
    event_base_dispatch(base->get());
    CHECK(counter.reads == 1);
    CHECK((counter.last_what & EV_READ) != 0);
    tern::remove_event(ev->get());
    tern::remove_event(nullptr);  // harmless
}

TEST_CASE("event loop: timer and its timeout in milliseconds", "[event_loop]") {
    auto base = tern::make_event_base();
    REQUIRE(base);
    Counter counter{base->get()};
    auto timer = tern::make_timer<&Counter::on_timer>(base->get(), &counter);
    REQUIRE(timer);
    REQUIRE(tern::add_event(timer->get(), 0));
    event_base_dispatch(base->get());
    CHECK(counter.timeouts == 1);
    CHECK((counter.last_what & EV_TIMEOUT) != 0);
    REQUIRE(tern::add_event(timer->get(), 1500));  // seconds and microseconds split
    CHECK(event_pending(timer->get(), EV_TIMEOUT, nullptr) != 0);
}

TEST_CASE("event loop: signal events", "[event_loop]") {
    auto base = tern::make_event_base();
    REQUIRE(base);
    Counter counter{base->get()};
    auto sig = tern::make_signal_event<&Counter::on_signal>(base->get(), SIGUSR2, &counter);
    REQUIRE(sig);
    REQUIRE(tern::add_event(sig->get()));
    REQUIRE(::raise(SIGUSR2) == 0);
    event_base_dispatch(base->get());
    CHECK(counter.signals == 1);
}
