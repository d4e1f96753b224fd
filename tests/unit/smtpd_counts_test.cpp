// tests/unit/smtpd_counts_test.cpp - command counters and client limits of smtpd
#include <catch2/catch.hpp>

#include "smtpd/client_limits.h"
#include "smtpd/command_counts.h"

using smtpd::Admit;
using smtpd::Counted;

TEST_CASE("counts: Postfix order, ok/total only when they differ", "[smtpd][counts]") {
    smtpd::CommandCounts counts;
    CHECK(counts.summary() == " commands=0");
    counts.record(Counted::Quit, true);
    counts.record(Counted::Ehlo, true);
    counts.record(Counted::Mail, true);
    counts.record(Counted::Rcpt, true);
    counts.record(Counted::Rcpt, false);
    counts.record(Counted::Data, true);
    CHECK(counts.summary() == " ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 commands=5/6");
    counts.record(Counted::Unknown, false);
    CHECK(counts.summary() == " ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 unknown=0/1 commands=5/7");
    CHECK(counts.total() == 7);
}

TEST_CASE("client limits: concurrency", "[smtpd][limits]") {
    smtpd::ClientLimits limits({.count_limit = 2, .rate_limit = 0, .window_s = 60});
    CHECK(limits.admit("192.0.2.1", 0).verdict == Admit::Ok);
    CHECK(limits.admit("192.0.2.1", 0).verdict == Admit::Ok);
    const smtpd::Admission third = limits.admit("192.0.2.1", 0);
    CHECK(third.verdict == Admit::TooManyConnections);
    CHECK(third.count == 3);
    CHECK(limits.admit("192.0.2.2", 0).verdict == Admit::Ok);
    limits.release("192.0.2.1");
    CHECK(limits.admit("192.0.2.1", 0).verdict == Admit::Ok);
    limits.release("192.0.2.9");  // never admitted: harmless
}

TEST_CASE("client limits: rate per window, 0 is off", "[smtpd][limits]") {
    smtpd::ClientLimits limits({.count_limit = 0, .rate_limit = 2, .window_s = 60});
    CHECK(limits.admit("192.0.2.1", 100).verdict == Admit::Ok);
    limits.release("192.0.2.1");
    CHECK(limits.admit("192.0.2.1", 110).verdict == Admit::Ok);
    limits.release("192.0.2.1");
    CHECK(limits.admit("192.0.2.1", 159).verdict == Admit::RateExceeded);
    CHECK(limits.admit("192.0.2.1", 160).verdict == Admit::Ok);  // a new window
    smtpd::ClientLimits off({.count_limit = 0, .rate_limit = 0, .window_s = 60});
    for (int i = 0; i < 100; ++i) CHECK(off.admit("192.0.2.1", 0).verdict == Admit::Ok);
}

TEST_CASE("client limits: stale entries are pruned", "[smtpd][limits]") {
    smtpd::ClientLimits limits({.count_limit = 5, .rate_limit = 5, .window_s = 1});
    for (int i = 0; i < 3000; ++i) {
        const std::string address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        CHECK(limits.admit(address, i).verdict == Admit::Ok);
        limits.release(address);
    }
    CHECK(limits.tracked() < 2100);
}

