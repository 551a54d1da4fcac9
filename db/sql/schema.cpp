#include "db/sql/schema.h"

#include <fmt/format.h>

namespace mose::db::sql {
namespace {

// The schema texts name column types by placeholder, filled from the Dialect:
// {id}, {integer}, {real}, and {keyed} after a table best stored in primary-key
// order.
//
// Version 1: the initial schema. Timestamps are UTC unix seconds ({real}).
// Metric and curve values are {real}; SQLite stores NaN as NULL, so NULL there
// means NaN in both dialects. Enumerations are TEXT with CHECK constraints so a
// store stays readable with the sqlite3 shell or psql. Ids ({id}) number new
// rows and still take explicit values, so a copied study keeps its ids.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE studies (
  id          {id},
  name        TEXT NOT NULL UNIQUE,
  recipe_path TEXT NOT NULL,
  recipe_text TEXT NOT NULL,
  created     {real} NOT NULL
);

CREATE TABLE trials (
  id          {id},
  study_id    {integer} NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('train', 'eval')),
  status      TEXT NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'running', 'done', 'failed')),
  config      TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  parent_id   {integer} REFERENCES trials(id),
  seed        {integer} NOT NULL,
  created     {real} NOT NULL,
  started     {real},
  finished    {real},
  worker      TEXT,
  heartbeat   {real},
  attempts    {integer} NOT NULL DEFAULT 0,
  error       TEXT,
  UNIQUE (study_id, config_hash)
);
CREATE INDEX trials_by_status ON trials(status, id);
CREATE INDEX trials_by_hash ON trials(config_hash, status);
CREATE INDEX trials_by_parent ON trials(parent_id);

CREATE TABLE metrics (
  trial_id {integer} NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  value    {real},
  PRIMARY KEY (trial_id, name)
){keyed};

CREATE TABLE curves (
  trial_id {integer} NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  step     {integer} NOT NULL,
  value    {real},
  PRIMARY KEY (trial_id, name, step)
){keyed};

CREATE TABLE artifacts (
  trial_id {integer} NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  kind     TEXT NOT NULL,
  path     TEXT NOT NULL,
  checksum TEXT NOT NULL,
  bytes    {integer} NOT NULL,
  created  {real} NOT NULL,
  PRIMARY KEY (trial_id, kind, path)
){keyed};

CREATE TABLE environment (
  trial_id {integer} NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (trial_id, key)
){keyed};
)sql";

std::string render(std::string_view schema, const Dialect& dialect) {
  return fmt::format(fmt::runtime(schema), fmt::arg("id", dialect.id_column), fmt::arg("integer", dialect.integer),
                     fmt::arg("real", dialect.real), fmt::arg("keyed", dialect.keyed_table));
}

}  // namespace

std::vector<Migration> schema_migrations(const Dialect& dialect) {
  return {
      {1, "studies, trials, metrics, curves, artifacts, environment", render(kSchemaV1, dialect)},
  };
}

}  // namespace mose::db::sql
