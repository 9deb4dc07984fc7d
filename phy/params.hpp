// How a model reads its parameters from a config without knowing about YAML.
//
// Each model has a `read_params(ParamReader&)` that asks for its keys one by one, with the unit's
// dimension, the default, the allowed range and a documentation string citing the default's
// source. The config layer (link/) implements ParamReader over a YAML block: it converts units,
// checks ranges and names file, line and key in every error, and afterwards rejects keys nobody
// asked for. The documentation generator implements it too, recording every key to build
// docs/config.md, so the reference can never drift from the code.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phy/units.hpp"

namespace optilane {

/// Allowed range of a numeric key (in SI units, or dB for dB-valued keys).
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  ///< true: value must be > min (e.g. lengths of a rate)

  static Range positive() { return {.min = 0.0, .min_exclusive = true}; }
  static Range non_negative() { return {.min = 0.0}; }
  static Range between(double lo, double hi) { return {.min = lo, .max = hi}; }
};

/// Documentation of one key, as recorded by a documenting reader.
struct KeyDoc {
  std::string key;
  std::string type;  ///< "quantity", "integer", "flag", "choice", "text", "list"
  std::string unit;  ///< dimension name with its SI unit, or the choices
  std::string default_value;
  std::string range;
  std::string doc;  ///< meaning and the source of the default
};

class ParamReader {
 public:
  virtual ~ParamReader() = default;

  /// A quantity with a default (SI units, or dB for ratio_db / per_hz_db).
  virtual double quantity(std::string_view key, Dimension dimension, double default_value,
                          std::string_view doc, Range range = {}) = 0;
  /// A quantity the user must give.
  virtual double required_quantity(std::string_view key, Dimension dimension, std::string_view doc,
                                   Range range = {}) = 0;
  /// A quantity that may be absent (the model then derives it).
  virtual std::optional<double> optional_quantity(std::string_view key, Dimension dimension,
                                                  std::string_view doc, Range range = {}) = 0;
  virtual long integer(std::string_view key, long default_value, std::string_view doc,
                       Range range = {}) = 0;
  virtual bool flag(std::string_view key, bool default_value, std::string_view doc) = 0;
  /// One of a fixed set of words.
  virtual std::string choice(std::string_view key, std::string_view default_value,
                             const std::vector<std::string_view>& choices,
                             std::string_view doc) = 0;
  virtual std::string text(std::string_view key, std::string_view default_value,
                           std::string_view doc) = 0;
  /// A list of quantities, e.g. FFE taps or wavelengths; `range` applies to each item.
  virtual std::vector<double> quantity_list(std::string_view key, Dimension dimension,
                                            const std::vector<double>& default_value,
                                            std::string_view doc, Range range = {}) = 0;
  /// A file path read from `key`, made usable: a relative path in a config file is relative to
  /// that file's folder. The default returns `value` unchanged.
  [[nodiscard]] virtual std::string resolve_path(std::string_view key,
                                                 const std::string& value) const {
    (void)key;
    return value;
  }
  /// True when the user gave the key.
  [[nodiscard]] virtual bool has(std::string_view key) const = 0;
  /// Reports a bad value of `key` with the file and line it came from (throws InputError).
  [[noreturn]] virtual void fail(std::string_view key, const std::string& message) const = 0;
};

}  // namespace optilane
