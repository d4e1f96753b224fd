// tests/support/test_service.cpp - a tiny daemon for the master tests
//
// SYNOPSIS
//     master.cf:  NAME  unix|inet|fifo  -  n  n  -  -  test-service [-x]
// DESCRIPTION
//     Built only with the event-server skeleton. Each accepted client gets
//     "hello from test-service pid=N uid=U root=DIR service=NAME" and then
//     its lines echoed back. A wakeup (FIFO or trigger byte) logs
//     "wakeup". With the argument -x it exits 1 at once, so master's
//     throttling can be tested.
// LIMITS
//     Echoes at most kMaxLineBytes per line; longer input closes the client.
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/event_server.h"

namespace {

constexpr std::size_t kMaxLineBytes = 1000;

// One client; the bufferevent callbacks own it (adopted back in close_client).
struct Client {
    tern::BufferEventPtr bev;
    tern::ServerContext* ctx;
};

void close_client(Client* raw) noexcept {
    const std::unique_ptr<Client> client{raw};
    client->bev.reset();
    client->ctx->client_done();
}

void on_read(bufferevent* bev, void* arg) noexcept {
    auto* client = static_cast<Client*>(arg);
    evbuffer* input = bufferevent_get_input(bev);
    while (char* line = evbuffer_readln(input, nullptr, EVBUFFER_EOL_CRLF)) {
        const std::string text = std::string(line) + "\n";
        std::free(line);
        bufferevent_write(bev, text.data(), text.size());
    }
    if (evbuffer_get_length(input) > kMaxLineBytes) close_client(client);
}

void on_event(bufferevent*, short what, void* arg) noexcept {
    if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) != 0) close_client(static_cast<Client*>(arg));
}

void start_client(tern::Fd fd, tern::ServerContext& ctx) noexcept {
    tern::BufferEventPtr owned{bufferevent_socket_new(ctx.base(), fd.release(), BEV_OPT_CLOSE_ON_FREE)};
    if (!owned) {
        ctx.client_done();
        return;
    }
    bufferevent* bev = owned.get();
    auto client = std::make_unique<Client>(Client{std::move(owned), &ctx});
    bufferevent_setcb(bev, on_read, nullptr, on_event, client.release());
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    char hello[300];
    std::snprintf(hello, sizeof hello, "hello from test-service pid=%d uid=%d root=%s service=%s\n",
                  static_cast<int>(::getpid()), static_cast<int>(::getuid()), ctx.root_directory().c_str(),
                  tern::printable(ctx.service_name(), 100).c_str());
    bufferevent_write(bev, hello, std::strlen(hello));
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_event_server(argc, argv, {
        .service = "test-service",
        .after_privilege_drop = [](tern::ServerContext& ctx) {
            if (std::find(ctx.args().begin(), ctx.args().end(), "-x") != ctx.args().end()) std::exit(1);
        },
        .on_accept = start_client,
        .on_wakeup = [](std::string_view, tern::ServerContext& ctx) noexcept {
            tern::log_info("wakeup service=%s", tern::printable(ctx.service_name(), 100).c_str());
        },
    });
}
