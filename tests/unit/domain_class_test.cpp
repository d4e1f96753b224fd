// tests/unit/domain_class_test.cpp - NetList (mynetworks) and DomainClassifier (address classes)
#include <catch2/catch.hpp>

#include "lib/mail/config.h"
#include "lib/mail/domain_class.h"
#include "lib/mail/net_list.h"
#include "tests/unit/test_support.h"

namespace {

tern::Config parse_config(const std::string& text) {
    tern::Result<tern::Config> config = tern::Config::parse(text, "main.cf");
    REQUIRE(config);
    return std::move(*config);
}

bool net_matches(const tern::NetList& list, std::string_view address) {
    tern::Result<bool> hit = list.matches(address);
    REQUIRE(hit);
    return *hit;
}

tern::DomainClass classify(const tern::DomainClassifier& classifier, std::string_view domain) {
    tern::Result<tern::DomainClass> result = classifier.classify(domain);
    REQUIRE(result);
    return *result;
}

}  // namespace

TEST_CASE("parse_ip_network: addresses, networks and host bits", "[domain_class]") {
    REQUIRE(tern::parse_ip_address("192.0.2.1"));
    REQUIRE(tern::parse_ip_address("[2001:db8::1]"));
    REQUIRE(tern::parse_ip_address("[IPv6:2001:db8::1]"));
    CHECK_FALSE(tern::parse_ip_address(""));
    CHECK_FALSE(tern::parse_ip_address("mx.example.com"));
    CHECK_FALSE(tern::parse_ip_address("192.0.2.256"));
    std::optional<tern::IpNet> mapped = tern::parse_ip_address("::ffff:192.0.2.7");
    REQUIRE(mapped);
    CHECK_FALSE(mapped->v6);
    CHECK(mapped->address_string() == "192.0.2.7");

    bool host_bits = false;
    std::optional<tern::IpNet> net = tern::parse_ip_network("192.0.2.0/24", &host_bits);
    REQUIRE(net);
    CHECK_FALSE(host_bits);
    CHECK(net->to_string() == "192.0.2.0/24");
    REQUIRE(tern::parse_ip_network("192.0.2.1/24", &host_bits));
    CHECK(host_bits);
    CHECK(tern::parse_ip_network("0.0.0.0/0"));
    CHECK(tern::parse_ip_network("192.0.2.1/32"));
    CHECK_FALSE(tern::parse_ip_network("192.0.2.1/33"));
    CHECK_FALSE(tern::parse_ip_network("192.0.2.1/"));
    CHECK_FALSE(tern::parse_ip_network("192.0.2.1/-1"));
    CHECK(tern::parse_ip_network("[2001:db8::]/32"));
    CHECK(tern::parse_ip_network("2001:db8::/32"));
    CHECK_FALSE(tern::parse_ip_network("[2001:db8::]/129"));
}

TEST_CASE("NetList: CIDR, addresses, negation, order", "[domain_class]") {
    tern::Result<tern::NetList> list =
        tern::NetList::parse({"!192.0.2.66", "192.0.2.0/24", "[::1]/128", "10.1.2.3", "[2001:db8::]/32"}, "mynetworks");
    REQUIRE(list);
    CHECK(net_matches(*list, "192.0.2.1"));
    CHECK(net_matches(*list, "192.0.2.255"));
    CHECK_FALSE(net_matches(*list, "192.0.2.66"));  // the negation comes first
    CHECK_FALSE(net_matches(*list, "192.0.3.1"));
    CHECK(net_matches(*list, "::1"));
    CHECK_FALSE(net_matches(*list, "::2"));
    CHECK(net_matches(*list, "10.1.2.3"));
    CHECK_FALSE(net_matches(*list, "10.1.2.4"));
    CHECK(net_matches(*list, "2001:db8:1::5"));
    CHECK(net_matches(*list, "::ffff:192.0.2.9"));
    CHECK_FALSE(net_matches(*list, "unknown"));
    CHECK_FALSE(net_matches(*list, ""));
}

TEST_CASE("NetList: empty list, tables, files, errors", "[domain_class]") {
    tern::Result<tern::NetList> empty = tern::NetList::parse({}, "mynetworks");
    REQUIRE(empty);
    CHECK_FALSE(net_matches(*empty, "127.0.0.1"));

    tern_test::TempDir dir;
    const std::string cidr = dir.write("nets.cidr", "198.51.100.0/24 OK\n");
    const std::string file = dir.write("nets", "203.0.113.0/24, 192.0.2.1\n");
    tern::Result<tern::NetList> tables = tern::NetList::parse({"cidr:" + cidr, file, "inline:{ 10.0.0.1=yes }"}, "mynetworks");
    REQUIRE(tables);
    CHECK(net_matches(*tables, "198.51.100.7"));
    CHECK(net_matches(*tables, "203.0.113.9"));
    CHECK(net_matches(*tables, "192.0.2.1"));
    CHECK(net_matches(*tables, "10.0.0.1"));
    CHECK_FALSE(net_matches(*tables, "10.0.0.2"));

    tern::Result<tern::NetList> bits = tern::NetList::parse({"192.0.2.1/24"}, "mynetworks");
    REQUIRE_FALSE(bits);
    CHECK(bits.error().text ==
          "mynetworks: non-null host address bits in \"192.0.2.1/24\", perhaps you should use \"192.0.2.0/24\" instead");
    CHECK_FALSE(tern::NetList::parse({"mx.example.com"}, "mynetworks"));
    CHECK_FALSE(tern::NetList::parse({"nosuchtype:/x"}, "mynetworks"));
    CHECK_FALSE(tern::NetList::parse({dir.file("missing")}, "mynetworks"));
}

TEST_CASE("load_mynetworks: explicit value, default, style", "[domain_class]") {
    tern::Result<tern::NetList> defaults = tern::load_mynetworks(parse_config(""));
    REQUIRE(defaults);
    CHECK(net_matches(*defaults, "127.0.0.1"));
    CHECK(net_matches(*defaults, "::1"));
    CHECK_FALSE(net_matches(*defaults, "192.0.2.1"));

    tern::Result<tern::NetList> explicit_empty = tern::load_mynetworks(parse_config("mynetworks =\n"));
    REQUIRE(explicit_empty);
    CHECK_FALSE(net_matches(*explicit_empty, "127.0.0.1"));

    tern::Result<tern::NetList> host = tern::load_mynetworks(parse_config("mynetworks_style = host\n"));
    REQUIRE(host);
    CHECK(net_matches(*host, "127.0.0.1"));  // lo is an interface
    CHECK_FALSE(net_matches(*host, "127.0.0.2"));
    tern::Result<tern::NetList> subnet = tern::load_mynetworks(parse_config("mynetworks_style = subnet\n"));
    REQUIRE(subnet);
    CHECK(net_matches(*subnet, "127.0.0.2"));
    CHECK_FALSE(tern::load_mynetworks(parse_config("mynetworks_style = galaxy\n")));
}

TEST_CASE("DomainList: names, subdomains, negation, tables", "[domain_class]") {
    tern::Result<tern::DomainList> plain =
        tern::DomainList::parse({"!bad.example.com", "example.com", ".sub.example.org", "inline:{ t.example=x }"},
                                "mydestination", false);
    REQUIRE(plain);
    auto hit = [](const tern::DomainList& list, std::string_view name) {
        tern::Result<bool> r = list.matches(name);
        REQUIRE(r);
        return *r;
    };
    CHECK(hit(*plain, "example.com"));
    CHECK(hit(*plain, "EXAMPLE.COM."));
    CHECK_FALSE(hit(*plain, "bad.example.com"));
    CHECK_FALSE(hit(*plain, "x.example.com"));  // no parent matching for mydestination
    CHECK(hit(*plain, "a.sub.example.org"));
    CHECK_FALSE(hit(*plain, "sub.example.org"));
    CHECK(hit(*plain, "t.example"));
    CHECK_FALSE(hit(*plain, "x.t.example"));  // tables try ".t.example" without parent style
    CHECK_FALSE(hit(*plain, ""));
    CHECK_FALSE(hit(*plain, std::string(300, 'a')));

    tern::Result<tern::DomainList> parent =
        tern::DomainList::parse({"example.com", "inline:{ t.example=x, .dot.example=y }"}, "relay_domains", true);
    REQUIRE(parent);
    CHECK(hit(*parent, "example.com"));
    CHECK(hit(*parent, "deep.sub.example.com"));
    CHECK_FALSE(hit(*parent, "badexample.com"));
    CHECK(hit(*parent, "x.t.example"));
    CHECK_FALSE(hit(*parent, "x.dot.example"));  // parent style looks up "dot.example", not ".dot.example"

    CHECK_FALSE(tern::DomainList::parse({"!"}, "relay_domains", true));
    CHECK_FALSE(tern::DomainList::parse({"hash:/nonexistent/table"}, "relay_domains", true));
}

TEST_CASE("parent_matches_subdomains: Postfix default and override", "[domain_class]") {
    const tern::Config defaults = parse_config("");
    CHECK(tern::parent_matches_subdomains(defaults, "relay_domains"));
    CHECK(tern::parent_matches_subdomains(defaults, "smtpd_access_maps"));
    CHECK_FALSE(tern::parent_matches_subdomains(defaults, "mydestination"));
    const tern::Config none = parse_config("parent_domain_matches_subdomains =\n");
    CHECK_FALSE(tern::parent_matches_subdomains(none, "relay_domains"));
}

TEST_CASE("DomainClassifier: the address classes in trivial-rewrite's order", "[domain_class]") {
    const tern::Config config = parse_config(
        "myhostname = mx.example.com\n"
        "mydomain = example.com\n"
        "mydestination = $myhostname, localhost, example.com\n"
        "inet_interfaces = loopback-only\n"
        "proxy_interfaces = 192.0.2.25\n"
        "virtual_alias_domains = alias.example\n"
        "virtual_mailbox_domains = inline:{ box.example=1 }\n"
        "relay_domains = relay.example, example.com\n");
    tern::Result<tern::DomainClassifier> classifier = tern::DomainClassifier::load(config);
    REQUIRE(classifier);
    CHECK(classify(*classifier, "mx.example.com") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "Example.COM") == tern::DomainClass::Local);  // local wins over relay
    CHECK(classify(*classifier, "localhost.") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "[127.0.0.1]") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "[IPv6:::1]") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "[192.0.2.25]") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "[192.0.2.26]") == tern::DomainClass::Other);
    CHECK(classify(*classifier, "alias.example") == tern::DomainClass::VirtualAlias);
    CHECK(classify(*classifier, "box.example") == tern::DomainClass::VirtualMailbox);
    CHECK(classify(*classifier, "relay.example") == tern::DomainClass::Relay);
    CHECK(classify(*classifier, "sub.relay.example") == tern::DomainClass::Relay);
    CHECK(classify(*classifier, "sub.example.com") == tern::DomainClass::Relay);  // via relay_domains' parent match
    CHECK(classify(*classifier, "elsewhere.example") == tern::DomainClass::Other);
    CHECK(classify(*classifier, "") == tern::DomainClass::Other);
    CHECK(tern::domain_class_name(tern::DomainClass::VirtualMailbox) == "virtual mailbox");
}

TEST_CASE("DomainClassifier: Postfix defaults make only our own names local", "[domain_class]") {
    const tern::Config config = parse_config("myhostname = mx.example.com\nmydomain = example.com\n");
    tern::Result<tern::DomainClassifier> classifier = tern::DomainClassifier::load(config);
    REQUIRE(classifier);
    CHECK(classify(*classifier, "mx.example.com") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "localhost.example.com") == tern::DomainClass::Local);
    CHECK(classify(*classifier, "example.com") == tern::DomainClass::Other);
    CHECK(classify(*classifier, "gmail.com") == tern::DomainClass::Other);
}
