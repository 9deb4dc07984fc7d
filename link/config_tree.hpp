// A config as a tree that remembers where every value came from (file and line), so that errors
// found long after parsing -- an unknown key, a value out of range, a wrong unit -- still name the
// file, the line and the key. YAML is parsed by yaml-cpp and converted into this tree; `extends:`
// merging and `--set` overrides operate on the tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phy/errors.hpp"

namespace optilane {

struct ConfigMapEntry;

struct ConfigNode {
  enum class Type { null, scalar, map, sequence };

  Type type = Type::null;
  std::string scalar;
  std::vector<ConfigMapEntry> map;  ///< in file order
  std::vector<ConfigNode> sequence;
  std::string file;  ///< where this value came from
  int line = 0;      ///< 1-based

  [[nodiscard]] bool is_map() const { return type == Type::map; }
  [[nodiscard]] bool is_scalar() const { return type == Type::scalar; }
  [[nodiscard]] bool is_sequence() const { return type == Type::sequence; }
  [[nodiscard]] const ConfigNode* find(std::string_view key) const;
  ConfigNode* find(std::string_view key);
  /// Sets (or adds) a map entry.
  ConfigNode& set(const std::string& key, ConfigNode value);
  void erase(std::string_view key);
  [[nodiscard]] SourceLocation location(const std::string& key_path) const {
    return {file, line, key_path};
  }
};

/// One key of a map. (A named struct rather than std::pair: a pair cannot hold the still
/// incomplete ConfigNode, which clang rejects.) `first`/`second` keep structured bindings natural.
struct ConfigMapEntry {
  ConfigMapEntry(std::string key, ConfigNode value)
      : first(std::move(key)), second(std::move(value)) {}
  std::string first;
  ConfigNode second;
};

/// Parses YAML text; `file` names it in errors. Duplicate keys are errors.
[[nodiscard]] ConfigNode parse_yaml(const std::string& text, const std::string& file);
/// Reads and parses a YAML file (missing or unreadable files are InputErrors).
[[nodiscard]] ConfigNode load_yaml_file(const std::string& path);
/// Deep merge: maps merge key by key; scalars and sequences in `override` replace those in `base`.
void merge_into(ConfigNode& base, const ConfigNode& override);
/// Emits the tree as YAML text.
[[nodiscard]] std::string to_yaml(const ConfigNode& node);

/// Applies `--set KEY=VALUE`. KEY is a dotted path; inside `chain`, a segment is either an index
/// from 0 or the `block:` name (or `name:`) of the first matching block. VALUE is parsed as YAML.
void apply_override(ConfigNode& root, const std::string& assignment);

/// The closest candidate to `word` by edit distance, if close enough for a "did you mean".
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word,
                                                       const std::vector<std::string>& candidates);

}  // namespace optilane
