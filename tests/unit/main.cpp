// tests/unit/main.cpp - the Catch2 runner for every unit test (tests/unit/*_test.cpp)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
