// tools/postmap/build.cpp - make NAME.db from NAME, add to it (-i), delete from it (-d)
#include "tools/postmap/build.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/db_writer.h"
#include "lib/mail/tables/owner_ids.h"
#include "lib/mail/tables/table_text.h"

namespace postmap {

namespace {

tern::Result<tern::DbType> writable_type(const tern::TableSpec& spec) {
    if (std::optional<tern::DbType> type = db_type_of(spec.type)) return *type;
    return tern::fail(tern::Retry::Permanent,
                      "unsupported dictionary type for writing: " + tern::printable(spec.type, 100) +
                          " (postmap writes hash: and btree: tables)");
}

// Adds the source's entries; warnings name the source file and line.
tern::Status add_entries(tern::DbWriter& writer, std::string_view text, const std::string& source,
                         const Options& options) {
    const auto warn = [&](int line, const std::string& why) {
        tern::log_warning("%s, line %d: %s", tern::printable(source, 500).c_str(), line, why.c_str());
    };
    tern::LogicalLineReader reader(text, warn);
    while (std::optional<tern::LogicalLine> line = reader.next()) {
        const std::optional<tern::KeyValue> entry = tern::split_key_value(line->text);
        if (!entry) {
            warn(line->line, "expected format: key whitespace value");
            continue;
        }
        const std::string key = options.fold_keys ? tern::to_lower(entry->key) : std::string(entry->key);
        if (options.duplicates == Duplicates::Replace) {
            if (tern::Status st = writer.replace(key, entry->value); !st) return st;
            continue;
        }
        tern::Result<bool> added = writer.add(key, entry->value);
        if (!added) return tl::unexpected(added.error());
        if (!*added && options.duplicates == Duplicates::Warn)
            warn(line->line, "duplicate entry: \"" + tern::printable(key, 200) + "\"");
    }
    return {};
}

tern::Result<tern::DbWriter> begin_writer(const tern::TableSpec& spec, const Options& options,
                                          std::optional<mode_t> new_file_mode) {
    tern::Result<tern::DbType> type = writable_type(spec);
    if (!type) return tl::unexpected(type.error());
    tern::DbWriteOptions write_options;
    write_options.include_null = options.include_null;
    write_options.new_file_mode = new_file_mode;
    return tern::DbWriter::begin(tern::db_file_path(spec.name), *type, write_options);
}

}  // namespace

tern::TableSpec map_spec(const std::string& argument, const std::string& default_type) {
    if (tern::Result<tern::TableSpec> spec = tern::split_table_spec(argument)) return *spec;
    return tern::TableSpec{default_type, argument};
}

std::optional<tern::DbType> db_type_of(std::string_view type) noexcept {
    if (type == "hash") return tern::DbType::Hash;
    if (type == "btree") return tern::DbType::Btree;
    return std::nullopt;
}

tern::Status build_map(const tern::TableSpec& spec, const Options& options) {
    if (tern::Result<tern::DbType> type = writable_type(spec); !type) return tl::unexpected(type.error());
    tern::Result<tern::TableFile> source = tern::read_table_file(spec.name, kMaxSourceBytes);
    if (!source) return tl::unexpected(source.error());
    std::optional<tern::OwnerIds> owner;
    if (!options.keep_privileges) {
        tern::Result<tern::OwnerIds> ids = tern::OwnerIds::become(source->owner, source->group);
        if (!ids) return tl::unexpected(ids.error());
        owner.emplace(std::move(*ids));
    }
    const std::optional<mode_t> mode = options.inherit_mode ? std::optional<mode_t>(source->mode) : std::nullopt;
    tern::Result<tern::DbWriter> writer = begin_writer(spec, options, mode);
    if (!writer) return tl::unexpected(writer.error());
    if (tern::Status st = add_entries(*writer, source->text, spec.name, options); !st) return st;
    return writer->commit();
}

tern::Status add_to_map(const tern::TableSpec& spec, std::string_view text, const Options& options) {
    tern::Result<tern::DbWriter> writer = begin_writer(spec, options, std::nullopt);
    if (!writer) return tl::unexpected(writer.error());
    if (tern::Status st = writer->copy_existing(); !st) return st;
    if (tern::Status st = add_entries(*writer, text, "-", options); !st) return st;
    return writer->commit();
}

tern::Result<bool> delete_keys(const tern::TableSpec& spec, const std::vector<std::string>& keys,
                               const Options& options) {
    tern::Result<tern::DbWriter> writer = begin_writer(spec, options, std::nullopt);
    if (!writer) return tl::unexpected(writer.error());
    if (tern::Status st = writer->copy_existing(false); !st) return tl::unexpected(st.error());
    bool removed_any = false;
    for (const std::string& key : keys) {
        tern::Result<bool> removed = writer->remove(options.fold_keys ? tern::to_lower(key) : key);
        if (!removed) return removed;
        removed_any = removed_any || *removed;
    }
    if (!removed_any) return false;  // nothing changed: the writer removes its temporary file
    if (tern::Status st = writer->commit(); !st) return tl::unexpected(st.error());
    return true;
}

}  // namespace postmap
