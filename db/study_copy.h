// Copying a study between stores (SQLite -> PostgreSQL and back), for
// `mose-study migrate`. The copy is lossless: trials keep their status,
// attempts, timestamps, worker and error, with every metric, curve point,
// artifact and environment entry; ids are kept when the target has them free.
// copy_study reads the copy back and compares it with the source before it
// reports success.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/storage.h"

namespace mose::db {

// The whole study `name` as `storage` holds it. Throws DbError when there is none.
StudySnapshot read_study_snapshot(Storage& storage, std::string_view name);

// The first way `copy` differs from `original` ("trial 7: status done != failed"),
// or nullopt when they hold the same data. NaN equals NaN. With compare_ids
// false, ids may differ but must map one to one in order (parents included).
std::optional<std::string> snapshot_difference(const StudySnapshot& original, const StudySnapshot& copy,
                                               bool compare_ids);

struct CopyReport {
  ImportedStudy imported{};
  std::int64_t trials = 0;
  std::int64_t metrics = 0;
  std::int64_t curve_points = 0;
  std::int64_t artifacts = 0;
  std::int64_t environment_entries = 0;
};

// Copies study `name` from `from` into `to` and verifies the copy. Throws
// DbError when the source lacks the study, the target already has one of that
// name, or the copy read back differs (naming the first difference).
CopyReport copy_study(Storage& from, Storage& to, std::string_view name);

}  // namespace mose::db
