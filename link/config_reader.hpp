// ParamReader implementations: one over a config map (with file/line errors and unknown-key
// detection), one that records key documentation for docs/config.md.
#pragma once

#include <map>
#include <set>
#include <string>

#include "link/config_tree.hpp"
#include "phy/params.hpp"

namespace optilane {

/// Reads a model's keys from a YAML map. `path` prefixes keys in messages ("chain[2] (fiber)").
class ConfigReader final : public ParamReader {
 public:
  ConfigReader(const ConfigNode& map, std::string path, std::set<std::string> ignored_keys = {});

  double quantity(std::string_view key, Dimension dimension, double default_value,
                  std::string_view doc, Range range) override;
  double required_quantity(std::string_view key, Dimension dimension, std::string_view doc,
                           Range range) override;
  std::optional<double> optional_quantity(std::string_view key, Dimension dimension,
                                          std::string_view doc, Range range) override;
  long integer(std::string_view key, long default_value, std::string_view doc,
               Range range) override;
  bool flag(std::string_view key, bool default_value, std::string_view doc) override;
  std::string choice(std::string_view key, std::string_view default_value,
                     const std::vector<std::string_view>& choices, std::string_view doc) override;
  std::string text(std::string_view key, std::string_view default_value,
                   std::string_view doc) override;
  std::vector<double> quantity_list(std::string_view key, Dimension dimension,
                                    const std::vector<double>& default_value, std::string_view doc,
                                    Range range) override;
  [[nodiscard]] bool has(std::string_view key) const override;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const override;
  [[nodiscard]] std::string resolve_path(std::string_view key,
                                         const std::string& value) const override;

  /// Throws for any key of the map that no read asked for, with a did-you-mean.
  void reject_unknown_keys() const;
  /// Throws an unknown-key error for a key of the map not read so far that is a near spelling of
  /// `failing_key` when that key is absent: called before reporting an error about
  /// `failing_key`, which the misspelling most likely causes ("bandwith" for a missing
  /// "bandwidth").
  void reject_misspelling_of(std::string_view failing_key) const;
  /// The source location of a key (or of the map itself when absent).
  [[nodiscard]] SourceLocation where(std::string_view key) const;

 private:
  const ConfigNode* scalar_node(std::string_view key, std::string_view expected) const;
  double parse(const SourceLocation& at, const ConfigNode& node, Dimension dimension,
               const Range& range) const;
  [[nodiscard]] std::string full_key(std::string_view key) const;
  [[nodiscard]] bool is_unread(const std::string& key) const;

  const ConfigNode& map_;
  std::string path_;
  std::set<std::string> ignored_;
  mutable std::set<std::string> used_;
};

/// Records the keys a model reads, for the generated config reference.
class DocumentingReader final : public ParamReader {
 public:
  double quantity(std::string_view key, Dimension dimension, double default_value,
                  std::string_view doc, Range range) override;
  double required_quantity(std::string_view key, Dimension dimension, std::string_view doc,
                           Range range) override;
  std::optional<double> optional_quantity(std::string_view key, Dimension dimension,
                                          std::string_view doc, Range range) override;
  long integer(std::string_view key, long default_value, std::string_view doc,
               Range range) override;
  bool flag(std::string_view key, bool default_value, std::string_view doc) override;
  std::string choice(std::string_view key, std::string_view default_value,
                     const std::vector<std::string_view>& choices, std::string_view doc) override;
  std::string text(std::string_view key, std::string_view default_value,
                   std::string_view doc) override;
  std::vector<double> quantity_list(std::string_view key, Dimension dimension,
                                    const std::vector<double>& default_value, std::string_view doc,
                                    Range range) override;
  [[nodiscard]] bool has(std::string_view key) const override;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const override;

  [[nodiscard]] const std::vector<KeyDoc>& keys() const { return keys_; }

  /// Makes `choice(key, …)` return `value` instead of the default, so the generator can document
  /// the keys a model reads only for another choice (a `laser` of kind dfb).
  void set_choice(const std::string& key, const std::string& value) { choices_[key] = value; }

 private:
  void record(KeyDoc doc);
  std::vector<KeyDoc> keys_;
  std::map<std::string, std::string> choices_;
};

/// Formats a range for messages and docs, e.g. "> 0" or "0 .. 1".
[[nodiscard]] std::string describe_range(const Range& range);

}  // namespace optilane
