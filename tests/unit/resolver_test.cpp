// tests/unit/resolver_test.cpp - Resolver: address classes, transports, nexthops, transport_maps (trivial-rewrite)
// The expected routes were checked against Postfix 3.7's trivial-rewrite -S with the same main.cf.
#include <catch2/catch.hpp>

#include <string>

#include "lib/mail/config.h"
#include "lib/mail/resolver.h"
#include "tests/unit/test_support.h"

namespace {

using tern::DomainClass;
using tern::Resolution;

constexpr const char* kBase =
    "myhostname = mx.example.com\n"
    "mydomain = example.com\n"
    "mydestination = $myhostname, localhost, example.com\n"
    "inet_interfaces = 127.0.0.1\n"
    "virtual_alias_domains = alias.example\n"
    "virtual_mailbox_domains = mailbox.example\n"
    "relay_domains = relay.example\n";

tern::Resolver make_resolver(const std::string& extra) {
    tern::Result<tern::Config> config = tern::Config::parse(std::string(kBase) + extra, "main.cf");
    REQUIRE(config);
    tern::Result<tern::Resolver> resolver = tern::Resolver::load(*config);
    if (!resolver) FAIL(resolver.error().describe());
    return std::move(*resolver);
}

Resolution resolve(const tern::Resolver& resolver, std::string_view address) {
    tern::Result<Resolution> result = resolver.resolve(address);
    if (!result) FAIL(std::string(address) + ": " + result.error().describe());
    return *result;
}

std::string route(const tern::Resolver& resolver, std::string_view address) {
    const Resolution r = resolve(resolver, address);
    return r.transport + ":" + r.nexthop;
}

}  // namespace

TEST_CASE("Resolver: each address class gets its transport and nexthop", "[resolver]") {
    const tern::Resolver r = make_resolver("");
    CHECK(resolve(r, "u@example.com") == Resolution{"local", "mx.example.com", DomainClass::Local});
    CHECK(resolve(r, "u@mx.example.com") == Resolution{"local", "mx.example.com", DomainClass::Local});
    CHECK(resolve(r, "u@localhost") == Resolution{"local", "mx.example.com", DomainClass::Local});
    CHECK(resolve(r, "u@alias.example") ==
          Resolution{"error", "5.1.1 User unknown in virtual alias table", DomainClass::VirtualAlias});
    CHECK(resolve(r, "u@mailbox.example") == Resolution{"virtual", "mailbox.example", DomainClass::VirtualMailbox});
    CHECK(resolve(r, "u@relay.example") == Resolution{"relay", "relay.example", DomainClass::Relay});
    CHECK(resolve(r, "u@sub.relay.example") == Resolution{"relay", "sub.relay.example", DomainClass::Relay});
    CHECK(resolve(r, "u@elsewhere.example") == Resolution{"smtp", "elsewhere.example", DomainClass::Other});
}

TEST_CASE("Resolver: local address forms", "[resolver]") {
    const tern::Resolver r = make_resolver("");
    SECTION("no domain is local, nexthop myhostname") {
        CHECK(resolve(r, "user") == Resolution{"local", "mx.example.com", DomainClass::Local});
        CHECK(resolve(r, "") == Resolution{"local", "mx.example.com", DomainClass::Local});
    }
    SECTION("our address literal is local, another is not") {
        CHECK(resolve(r, "u@[127.0.0.1]").address_class == DomainClass::Local);
        CHECK(resolve(r, "u@[192.0.2.1]") == Resolution{"smtp", "[192.0.2.1]", DomainClass::Other});
    }
    SECTION("case and one trailing dot do not matter") {
        CHECK(resolve(r, "U@EXAMPLE.COM").address_class == DomainClass::Local);
        CHECK(resolve(r, "u@Example.Com.").address_class == DomainClass::Local);
        CHECK(route(r, "u@Elsewhere.Example.") == "smtp:elsewhere.example");
        CHECK(route(r, "u@MailBox.Example") == "virtual:mailbox.example");
    }
    SECTION("a trailing @ is refused unless resolve_null_domain") {
        tern::Result<Resolution> refused = r.resolve("user@");
        REQUIRE_FALSE(refused);
        CHECK_FALSE(refused.error().temporary());
        const tern::Resolver nulldom = make_resolver("resolve_null_domain = yes\n");
        CHECK(resolve(nulldom, "user@") == Resolution{"local", "mx.example.com", DomainClass::Local});
    }
    SECTION("bad domains and giant addresses are permanent errors") {
        CHECK(route(r, "u@exa_mple.com") == "smtp:exa_mple.com");
        for (std::string_view bad : {"u@exa mple.com", "u@-bad-.example", "u@[300.1.1.1]", "u@a..b"}) {
            tern::Result<Resolution> result = r.resolve(bad);
            REQUIRE_FALSE(result);
            CHECK_FALSE(result.error().temporary());
        }
        CHECK_FALSE(r.resolve("u@" + std::string(3000, 'a') + ".com"));
    }
}

TEST_CASE("Resolver: transport parameters with nexthops and relayhost", "[resolver]") {
    SECTION("relayhost [host]:port for relay and default classes only") {
        const tern::Resolver r = make_resolver("relayhost = [smarthost.example]:587\n");
        CHECK(route(r, "u@elsewhere.example") == "smtp:[smarthost.example]:587");
        CHECK(route(r, "u@relay.example") == "relay:[smarthost.example]:587");
        CHECK(route(r, "u@mailbox.example") == "virtual:mailbox.example");
        CHECK(route(r, "u@example.com") == "local:mx.example.com");
    }
    SECTION("a nexthop in the transport value wins over relayhost") {
        const tern::Resolver r = make_resolver(
            "relayhost = [smarthost.example]\ndefault_transport = smtp:[out.example]:2525\n"
            "relay_transport = lmtp:unix:private/x\nvirtual_transport = lmtp:inet:127.0.0.1:24\n"
            "local_transport = local\n");
        CHECK(route(r, "u@elsewhere.example") == "smtp:[out.example]:2525");
        CHECK(route(r, "u@relay.example") == "lmtp:unix:private/x");
        CHECK(route(r, "u@mailbox.example") == "lmtp:inet:127.0.0.1:24");
        CHECK(route(r, "u@example.com") == "local:mx.example.com");
    }
    SECTION("error: as a class transport") {
        const tern::Resolver r = make_resolver("default_transport = error:5.7.1 no outbound mail\n");
        CHECK(route(r, "u@elsewhere.example") == "error:5.7.1 no outbound mail");
    }
    SECTION("show_user_unknown_table_name = no") {
        const tern::Resolver r = make_resolver("show_user_unknown_table_name = no\n");
        CHECK(route(r, "u@alias.example") == "error:5.1.1 User unknown");
    }
    SECTION("an empty transport is refused at load") {
        tern::Result<tern::Config> config = tern::Config::parse(std::string(kBase) + "relay_transport = :x\n", "m");
        REQUIRE(config);
        tern::Result<tern::Resolver> r = tern::Resolver::load(*config);
        REQUIRE_FALSE(r);
        CHECK(r.error().text.find("relay_transport") != std::string::npos);
    }
}

TEST_CASE("Resolver: transport_maps lookup order", "[resolver]") {
    const std::string maps =
        "recipient_delimiter = +\n"
        "transport_maps = inline:{ full+ext@t.example=full:a, bare@t.example=bare:b, t.example=dom:c, "
        ".t.example=sub:d, .example=tld:e, *=star:f }\n";
    const tern::Resolver r = make_resolver(maps);
    CHECK(route(r, "full+ext@t.example") == "full:a");
    CHECK(route(r, "full+other@t.example") == "dom:c");
    CHECK(route(r, "bare+ext@t.example") == "bare:b");
    CHECK(route(r, "BARE@T.Example.") == "bare:b");
    CHECK(route(r, "x@t.example") == "dom:c");
    CHECK(route(r, "x@deep.sub.t.example") == "sub:d");
    CHECK(route(r, "x@other.example") == "tld:e");
    CHECK(route(r, "x@example") == "star:f");
    CHECK(resolve(r, "x@other.example").address_class == DomainClass::Other);
    SECTION("parent style: 'example.com' matches its subdomains when transport_maps is listed") {
        const tern::Resolver parent = make_resolver(
            "transport_maps = inline:{ t.example=dom:c }\nparent_domain_matches_subdomains = transport_maps\n");
        CHECK(route(parent, "x@a.t.example") == "dom:c");
        CHECK(route(make_resolver("transport_maps = inline:{ t.example=dom:c }\n"), "x@a.t.example") ==
              "smtp:a.t.example");
    }
    SECTION("a domain-less address is looked up as user@myhostname") {
        const tern::Resolver local = make_resolver("transport_maps = inline:{ joe@mx.example.com=lmtp:unix:lmtp }\n");
        CHECK(resolve(local, "joe") == Resolution{"lmtp", "unix:lmtp", DomainClass::Local});
    }
    SECTION("the first table with the key wins, in parameter order") {
        const tern::Resolver two =
            make_resolver("transport_maps = inline:{ t.example=one: }, inline:{ t.example=two:, x@t.example=three: }\n");
        CHECK(route(two, "x@t.example") == "three:t.example");
        CHECK(route(two, "y@t.example") == "one:t.example");
    }
}

TEST_CASE("Resolver: empty transport or nexthop in a transport_maps value", "[resolver]") {
    const tern::Resolver r = make_resolver(
        "relayhost = [smarthost.example]\n"
        "transport_maps = inline:{ keep.example=:, hop.example=:[hop]:26, tr.example=uucp:, "
        "both.example=smtp:[b]:25, { err.example = error:5.1.2 gone away }, err2.example=error:, "
        "disc.example=discard:silently, disc2.example=discard:, u@mailbox.example=smtp: }\n");
    CHECK(route(r, "u@keep.example") == "smtp:[smarthost.example]");
    CHECK(route(r, "u@hop.example") == "smtp:[hop]:26");
    CHECK(route(r, "u@tr.example") == "uucp:tr.example");
    CHECK(route(r, "u@both.example") == "smtp:[b]:25");
    CHECK(route(r, "u@err.example") == "error:5.1.2 gone away");
    CHECK(route(r, "u@err2.example") == "error:Address is undeliverable");
    CHECK(route(r, "u@disc.example") == "discard:silently");
    CHECK(route(r, "u@disc2.example") == "discard:disc2.example");
    const tern::Resolver alias = make_resolver("transport_maps = inline:{ alias.example=smtp:, *=smtp:[x] }\n");
    CHECK(route(alias, "u@alias.example") == "error:5.1.1 User unknown in virtual alias table");
    const Resolution moved = resolve(r, "u@mailbox.example");
    CHECK(moved == Resolution{"smtp", "mailbox.example", DomainClass::VirtualMailbox});
}

TEST_CASE("Resolver: regexp transport_maps see only the whole address", "[resolver]") {
    tern_test::TempDir dir;
    const std::string table = dir.write("transport.re", "/^sales@/ smtp:[crm.example]\n/^t\\.example$/ never:\n");
    const tern::Resolver r = make_resolver("transport_maps = regexp:" + table + "\n");
    CHECK(route(r, "sales@t.example") == "smtp:[crm.example]");
    CHECK(route(r, "other@t.example") == "smtp:t.example");
}

TEST_CASE("Resolver: table failures are temporary", "[resolver]") {
    tern_test::TempDir dir;
    const tern::Resolver r = make_resolver("transport_maps = hash:" + dir.file("missing") + "\n");
    tern::Result<Resolution> result = r.resolve("u@elsewhere.example");
    REQUIRE_FALSE(result);
    CHECK(result.error().temporary());
    tern::Result<tern::Config> config = tern::Config::parse(std::string(kBase) + "transport_maps = nosuchtype:x\n", "m");
    REQUIRE(config);
    tern::Result<tern::Resolver> bad = tern::Resolver::load(*config);
    REQUIRE_FALSE(bad);
    CHECK_FALSE(bad.error().temporary());
}

TEST_CASE("extension_of and without_extension: Postfix's split_addr", "[resolver]") {
    CHECK(tern::extension_of("user+ext@d", "+") == "ext");
    CHECK(tern::without_extension("user+ext@d", "+") == "user@d");
    CHECK(tern::without_extension("user+a+b@d", "+") == "user@d");
    CHECK(tern::extension_of("user+a+b@d", "+") == "a+b");
    CHECK(tern::extension_of("user-x@d", "+-") == "x");
    CHECK(tern::without_extension("user", "+") == "user");
    CHECK(tern::without_extension("user+ext", "+") == "user");
    CHECK(tern::without_extension("user+@d", "+") == "user@d");
    CHECK(tern::extension_of("user+@d", "+") == "");
    CHECK(tern::without_extension("+user@d", "+") == "+user@d");
    CHECK(tern::without_extension("user+ext@d", "") == "user+ext@d");
    CHECK(tern::without_extension("a+b@c@d", "+") == "a@d");
    // Never split: the special names, and owner-/-request with '-' as a delimiter.
    CHECK(tern::without_extension("owner-list@d", "-") == "owner-list@d");
    CHECK(tern::without_extension("list-request@d", "-") == "list-request@d");
    CHECK(tern::without_extension("-request@d", "-") == "-request@d");
    CHECK(tern::without_extension("owner-list@d", "+") == "owner-list@d");
    CHECK(tern::without_extension("owner+x@d", "+") == "owner@d");
    CHECK(tern::without_extension("post+x@d", "+") == "post@d");
    CHECK(tern::without_extension("double-bounce@d", "-") == "double-bounce@d");
    CHECK(tern::without_extension("MAILER-DAEMON@d", "-") == "MAILER-DAEMON@d");
    CHECK(tern::without_extension("a-b-request@d", "+") == "a-b-request@d");
    CHECK(tern::without_extension("a-b-request@d", "-") == "a-b-request@d");
}
