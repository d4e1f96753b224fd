// tests/unit/smtpd_protocol_test.cpp - the smtpd state machine with a fake cleanup and policy
#include <catch2/catch.hpp>

#include "smtpd/protocol.h"
