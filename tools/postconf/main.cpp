// postconf - print or change the tern configuration (man/man1/postconf.1)
//
// SYNOPSIS
//     postconf [-c dir] [-d | -n] [-h] [-x] [-o name=value] [name...]
//     postconf [-c dir] -e name=value...      (also: postconf name=value...)
//     postconf [-c dir] -X name...
//     postconf [-c dir] -M [service[/type]...]
// DESCRIPTION
//     The same commands, output and exit codes as Postfix's postconf for
//     these options: see print_main.h, lib/mail/config_edit.h and print_master.h.
//     Warnings go to standard error as "postconf: warning: ..."; a fatal
//     error prints "postconf: fatal: ..." and exits 1.
// LIMITS
//     main.cf and master.cf are read with the limits of lib/mail/config.h
//     and master_cf.h; -e and -X rewrite main.cf through a temporary file
//     and rename(2), so a reader never sees half a file.
// SECURITY
//     Not set-uid: it reads and writes with the caller's rights only.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/config_edit.h"
#include "lib/mail/master_cf.h"
#include "tools/postconf/print_main.h"
#include "tools/postconf/print_master.h"

namespace {

constexpr const char* kUsage =
    "usage: postconf [-c config_dir] [-d (parameter defaults)] [-e (edit configuration)] [-h (no names)] "
    "[-M (master.cf)] [-n (non-default parameters)] [-o name=value (override parameter value)] "
    "[-x (expand parameter values)] [-X (exclude)] [name...]";

enum class Mode { Print, Edit, Exclude, Master };

struct Options {
    std::string config_dir;
    bool config_dir_explicit = false;
    Mode mode = Mode::Print;
    postconf::PrintOptions print;
    tern::Overrides overrides;
    std::vector<std::string> names;
};

void write_out(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
        tern::log_fatal("write to standard output failed");
}

Options parse_options(int argc, char** argv) {
    Options opt;
    bool edit = false, exclude = false, master = false;
    int c;
    while ((c = getopt(argc, argv, "c:dehMno:xX")) != -1) {
        switch (c) {
            case 'c': opt.config_dir = optarg; opt.config_dir_explicit = true; break;
            case 'd': opt.print.defaults = true; break;
            case 'e': edit = true; break;
            case 'h': opt.print.hide_names = true; break;
            case 'M': master = true; break;
            case 'n': opt.print.non_default = true; break;
            case 'o': {
                auto e = tern::parse_assignment(optarg);
                if (!e) tern::log_fatal("%s", e.error().text.c_str());
                opt.overrides.emplace_back(e->name, e->value);
                break;
            }
            case 'x': opt.print.expand = true; break;
            case 'X': exclude = true; break;
            default: tern::log_fatal("%s", kUsage);
        }
    }
    for (int i = optind; i < argc; ++i) opt.names.emplace_back(argv[i]);
    if (edit + exclude + master > 1) tern::log_fatal("specify one of -e -M -X");
    if (opt.print.defaults && opt.print.non_default) tern::log_fatal("specify one of -d -n");
    if (master && (opt.print.non_default || opt.print.defaults)) tern::log_fatal("with option -M, do not specify -n or -d");
    const bool has_assignment = !opt.names.empty() && opt.names.front().find('=') != std::string::npos;
    opt.mode = edit || (has_assignment && !exclude && !master) ? Mode::Edit
               : exclude ? Mode::Exclude
               : master  ? Mode::Master
                         : Mode::Print;
    if (opt.mode == Mode::Edit && opt.names.empty()) tern::log_fatal("-e requires name=value argument");
    if (opt.mode == Mode::Exclude && opt.names.empty()) tern::log_fatal("-X requires parameter name argument");
    if (opt.config_dir.empty()) {
        opt.config_dir = tern::default_config_dir();
        const char* env = std::getenv("MAIL_CONFIG");
        opt.config_dir_explicit = env != nullptr && env[0] != '\0';
    }
    opt.print.config_dir_explicit = opt.config_dir_explicit;
    return opt;
}

tern::Config read_main_cf(const Options& opt) {
    const std::string path = opt.config_dir + "/main.cf";
    auto text = tern::read_config_file(path, tern::kMaxMainCfBytes);
    if (!text) tern::log_fatal("%s", text.error().describe().c_str());
    auto cfg = tern::Config::parse(*text, path);
    if (!cfg) tern::log_fatal("%s", cfg.error().text.c_str());
    for (const std::string& warning : cfg->parse_warnings()) tern::log_warning("%s", warning.c_str());
    cfg->set_config_dir(opt.config_dir);
    for (const auto& [name, value] : opt.overrides) cfg->set(name, value);
    return std::move(*cfg);
}

void edit(const Options& opt) {
    const std::string path = opt.config_dir + "/main.cf";
    auto text = tern::read_config_file(path, tern::kMaxMainCfBytes);
    if (!text) tern::log_fatal("%s", text.error().describe().c_str());
    std::vector<tern::ConfigEdit> edits;
    std::vector<std::string> removals;
    for (const std::string& arg : opt.names) {
        if (opt.mode == Mode::Exclude) {
            removals.push_back(arg);
            continue;
        }
        auto e = tern::parse_assignment(arg);
        if (!e) tern::log_fatal("%s", e.error().text.c_str());
        edits.push_back(std::move(*e));
    }
    auto ok = tern::rewrite_file(path, tern::edit_main_cf(*text, edits, removals));
    if (!ok) tern::log_fatal("%s", ok.error().describe().c_str());
}

void print_master(const Options& opt, const tern::Config& cfg) {
    auto services = tern::load_master_cf(cfg);
    if (!services) {
        if (services.error().errno_value != 0) {
            tern::log_warning("%s", services.error().describe().c_str());
            return;
        }
        tern::log_fatal("%s", services.error().text.c_str());
    }
    std::string out;
    std::vector<bool> matched(opt.names.size(), false);
    for (const tern::MasterService& s : *services) {
        bool wanted = opt.names.empty();
        for (std::size_t i = 0; i < opt.names.size(); ++i)
            if (postconf::matches_request(s, opt.names[i])) wanted = matched[i] = true;
        if (wanted) out += postconf::format_master_entry(s) + "\n";
    }
    write_out(out);
    for (std::size_t i = 0; i < opt.names.size(); ++i)
        if (!matched[i]) tern::log_warning("unmatched request: \"%s\"", opt.names[i].c_str());
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("postconf", "postconf");
    const Options opt = parse_options(argc, argv);
    if (opt.mode == Mode::Edit || opt.mode == Mode::Exclude) {
        edit(opt);
        return 0;
    }
    const tern::Config cfg = read_main_cf(opt);
    if (opt.mode == Mode::Master) {
        print_master(opt, cfg);
        return 0;
    }
    auto text = postconf::format_parameters(cfg, opt.print, opt.names);
    if (!text) tern::log_fatal("%s", text.error().text.c_str());
    write_out(*text);
    if (!opt.print.defaults) postconf::warn_unused_parameters(cfg);
    return 0;
}
