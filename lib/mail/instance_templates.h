// lib/mail/instance_templates.h - the main.cf and master.cf that tern init writes
//
// SYNOPSIS
//     std::string_view text = tern::kMainCfTemplate;
// DESCRIPTION
//     The text of conf/main.cf and conf/master.cf in the source tree,
//     compiled in by a build rule (lib/mail/config.inc) that wraps each
//     file in a raw string literal in the generated
//     lib/mail/instance_templates.cpp. conf/*.cf stay the one source.
// LIMITS
//     Fixed at build time; the unit tests check that both parse with no
//     unknown parameter.
#pragma once

#include <string_view>

namespace tern {

extern const std::string_view kMainCfTemplate;
extern const std::string_view kMasterCfTemplate;

}  // namespace tern
