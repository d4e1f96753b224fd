// lib/mail/mail_date.cpp - dates in message headers (see mail_date.h)
#include "lib/mail/mail_date.h"

#include <cstdio>
#include <cstdlib>

namespace tern {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string rfc5322_date(std::time_t when) {
    std::tm local{};
    ::localtime_r(&when, &local);
    const long offset_min = local.tm_gmtoff / 60;
    const long abs_min = std::labs(offset_min);
    char text[128];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld (%s)", kDays[local.tm_wday % 7],
                  local.tm_mday, kMonths[local.tm_mon % 12], local.tm_year + 1900, local.tm_hour, local.tm_min,
                  local.tm_sec, offset_min < 0 ? '-' : '+', abs_min / 60, abs_min % 60,
                  local.tm_zone ? local.tm_zone : "UTC");
    return text;
}

}  // namespace tern
