// tests/unit/session_service_test.cpp - the session table: accept, failed start, remove once (session_service.h)
#include "lib/mail/session_service.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/unit/fake_server_context.h"

namespace {

struct Settings {
    bool start_ok = true;
};

class Session;
using Service = tern::SessionService<Session, Settings>;

// Records its descriptor and its own lifetime, so a test sees when the table destroys it.
class Session {
public:
    Session(Service& service, tern::Fd fd) : service_(service), fd_(std::move(fd)) { ++alive; }
    ~Session() { --alive; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    [[nodiscard]] bool start() {
        last = this;
        return service_.settings().start_ok;
    }
    void finish() noexcept { service_.remove(this); }

    static inline int alive = 0;
    static inline Session* last = nullptr;

private:
    Service& service_;
    tern::Fd fd_;
};

}  // namespace

TEST_CASE("session_service: accept keeps a started session until it removes itself", "[session_service]") {
    tern_test::FakeServerContext context(nullptr, "test");
    Service service(context, Settings{});
    CHECK(service.base() == nullptr);
    service.accept(tern::Fd());
    REQUIRE(service.size() == 1);
    CHECK(Session::alive == 1);
    CHECK(context.done == 0);
    Session::last->finish();
    CHECK(service.size() == 0);
    CHECK(Session::alive == 0);
    CHECK(context.done == 1);
}

TEST_CASE("session_service: a session that fails to start is dropped and counted done", "[session_service]") {
    tern_test::FakeServerContext context(nullptr, "test");
    Service service(context, Settings{.start_ok = false});
    service.accept(tern::Fd());
    CHECK(service.size() == 0);
    CHECK(Session::alive == 0);
    CHECK(context.done == 1);
}

TEST_CASE("session_service: removing an unknown or removed session counts nothing", "[session_service]") {
    tern_test::FakeServerContext context(nullptr, "test");
    Service service(context, Settings{});
    service.accept(tern::Fd());
    service.accept(tern::Fd());
    REQUIRE(service.size() == 2);
    Session* first = Session::last;
    service.remove(first);
    CHECK(context.done == 1);
    service.remove(first);  // a stray second call: already gone
    CHECK(context.done == 1);
    CHECK(service.size() == 1);
}

TEST_CASE("session_service: the table destroys the sessions it still holds", "[session_service]") {
    tern_test::FakeServerContext context(nullptr, "test");
    {
        Service service(context, Settings{});
        service.accept(tern::Fd());
        service.accept(tern::Fd());
        CHECK(Session::alive == 2);
    }
    CHECK(Session::alive == 0);
    CHECK(context.done == 0);
}
