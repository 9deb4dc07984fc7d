#include "link/config_reader.hpp"

#include <filesystem>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace optilane {
namespace {

std::string format_number(double v) {
  return fmt::format("{:g}", v);
}

bool in_range(double v, const Range& r) {
  if (r.min_exclusive ? !(v > r.min) : !(v >= r.min)) return false;
  return v <= r.max;
}

}  // namespace

std::string describe_range(const Range& r) {
  const bool has_min = std::isfinite(r.min);
  const bool has_max = std::isfinite(r.max);
  if (has_min && has_max) {
    // "> 0 .. 1": the lower bound itself is not allowed.
    return (r.min_exclusive ? "> " : "") + format_number(r.min) + " .. " + format_number(r.max);
  }
  if (has_min) return (r.min_exclusive ? "> " : ">= ") + format_number(r.min);
  if (has_max) return "<= " + format_number(r.max);
  return "";
}

ConfigReader::ConfigReader(const ConfigNode& map, std::string path, std::set<std::string> ignored)
    : map_(map), path_(std::move(path)), ignored_(std::move(ignored)) {}

SourceLocation ConfigReader::where(std::string_view key) const {
  if (const ConfigNode* node = map_.find(key)) return {node->file, node->line, full_key(key)};
  return {map_.file, map_.line, full_key(key)};
}

void ConfigReader::fail(std::string_view key, const std::string& message) const {
  reject_misspelling_of(key);
  throw InputError(where(key), message);
}

std::string ConfigReader::full_key(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool ConfigReader::has(std::string_view key) const {
  used_.insert(std::string(key));
  const ConfigNode* node = map_.find(key);
  return node != nullptr && node->type != ConfigNode::Type::null;
}

const ConfigNode* ConfigReader::scalar_node(std::string_view key, std::string_view expected) const {
  used_.insert(std::string(key));
  const ConfigNode* node = map_.find(key);
  if (node == nullptr || node->type == ConfigNode::Type::null) return nullptr;
  if (node->type != ConfigNode::Type::scalar) {
    fail(key, "expected " + std::string(expected) + ", got a " + (node->is_map() ? "map" : "list"));
  }
  return node;
}

double ConfigReader::parse(const SourceLocation& at, const ConfigNode& node, Dimension dimension,
                           const Range& range) const {
  double value = 0.0;
  try {
    value = parse_quantity(node.scalar, dimension);
  } catch (const InputError& e) {
    throw InputError(at, e.what());
  }
  if (!in_range(value, range)) {
    // A bare number is read in SI units: "symbol_rate: 53.125" is 53.125 Bd. Say so, with the
    // units the key accepts, since the user most likely left the unit out.
    std::string hint;
    if (dimension != Dimension::dimensionless) {
      char* end = nullptr;
      const std::string text(node.scalar);
      std::strtod(text.c_str(), &end);
      if (end != text.c_str() &&
          std::string_view(end).find_first_not_of(" \t") == std::string_view::npos) {
        hint = fmt::format("; a number without a unit is read in SI units: give its unit ({})",
                           accepted_units(dimension));
      }
    }
    throw InputError(
        at, fmt::format("'{}' is out of range: expected {} ({} in SI units){}", node.scalar,
                        std::string(dimension_name(dimension)), describe_range(range), hint));
  }
  return value;
}

double ConfigReader::quantity(std::string_view key, Dimension dimension, double default_value,
                              std::string_view, Range range) {
  const ConfigNode* node = scalar_node(key, dimension_name(dimension));
  return node ? parse(where(key), *node, dimension, range) : default_value;
}

double ConfigReader::required_quantity(std::string_view key, Dimension dimension, std::string_view,
                                       Range range) {
  const ConfigNode* node = scalar_node(key, dimension_name(dimension));
  if (node == nullptr) {
    fail(key, "missing required key: expected " + std::string(dimension_name(dimension)));
  }
  return parse(where(key), *node, dimension, range);
}

std::optional<double> ConfigReader::optional_quantity(std::string_view key, Dimension dimension,
                                                      std::string_view, Range range) {
  const ConfigNode* node = scalar_node(key, dimension_name(dimension));
  if (node == nullptr) return std::nullopt;
  return parse(where(key), *node, dimension, range);
}

long ConfigReader::integer(std::string_view key, long default_value, std::string_view,
                           Range range) {
  const ConfigNode* node = scalar_node(key, "an integer");
  if (node == nullptr) return default_value;
  // Accept plain integers and exact floating forms such as 1e6.
  double value = 0.0;
  const std::string& s = node->scalar;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value) ||
      value != std::floor(value)) {
    fail(key, "'" + s + "' is not an integer");
  }
  if (std::abs(value) > 9.0e15 || !in_range(value, range)) {
    fail(key, "'" + s + "' is out of range: expected an integer " + describe_range(range));
  }
  return static_cast<long>(value);
}

bool ConfigReader::flag(std::string_view key, bool default_value, std::string_view) {
  const ConfigNode* node = scalar_node(key, "true or false");
  if (node == nullptr) return default_value;
  if (node->scalar == "true" || node->scalar == "yes" || node->scalar == "on") return true;
  if (node->scalar == "false" || node->scalar == "no" || node->scalar == "off") return false;
  fail(key, "'" + node->scalar + "' is not true or false");
}

std::string ConfigReader::choice(std::string_view key, std::string_view default_value,
                                 const std::vector<std::string_view>& choices, std::string_view) {
  const ConfigNode* node = scalar_node(key, "a word");
  if (node == nullptr) return std::string(default_value);
  std::vector<std::string> names;
  for (auto c : choices) {
    if (c == node->scalar) return node->scalar;
    names.emplace_back(c);
  }
  std::string message =
      "'" + node->scalar + "' is not one of: " + fmt::format("{}", fmt::join(names, ", "));
  if (auto guess = closest_match(node->scalar, names))
    message += " (did you mean '" + *guess + "'?)";
  fail(key, message);
}

std::string ConfigReader::text(std::string_view key, std::string_view default_value,
                               std::string_view) {
  const ConfigNode* node = scalar_node(key, "a text");
  return node ? node->scalar : std::string(default_value);
}

std::string ConfigReader::resolve_path(std::string_view key, const std::string& value) const {
  const std::filesystem::path path(value);
  if (value.empty() || path.is_absolute()) return value;
  const std::string file = where(key).file;
  if (file.empty() || file.front() == '<') return value;
  return (std::filesystem::path(file).parent_path() / path).lexically_normal().string();
}

std::vector<double> ConfigReader::quantity_list(std::string_view key, Dimension dimension,
                                                const std::vector<double>& default_value,
                                                std::string_view, Range range) {
  used_.insert(std::string(key));
  const ConfigNode* node = map_.find(key);
  if (node == nullptr || node->type == ConfigNode::Type::null) return default_value;
  if (node->type != ConfigNode::Type::sequence) {
    fail(key, "expected a list of " + std::string(dimension_name(dimension)) + ", e.g. [1, 2]");
  }
  std::vector<double> values;
  for (std::size_t i = 0; i < node->sequence.size(); ++i) {
    const ConfigNode& item = node->sequence[i];
    if (item.type != ConfigNode::Type::scalar) fail(key, "list items must be plain values");
    // An item's error names its index and its own line (a block list has one item per line).
    const SourceLocation item_at{item.file, item.line,
                                 full_key(std::string(key) + "[" + std::to_string(i) + "]")};
    values.push_back(parse(item_at, item, dimension, range));
  }
  return values;
}

bool ConfigReader::is_unread(const std::string& key) const {
  return used_.count(key) == 0 && ignored_.count(key) == 0;
}

void ConfigReader::reject_unknown_keys() const {
  // Keys read here and keys another reader handles (e.g. the top level's `chain`) are both valid.
  std::set<std::string> valid(used_.begin(), used_.end());
  valid.insert(ignored_.begin(), ignored_.end());
  const std::vector<std::string> known(valid.begin(), valid.end());
  for (const auto& [key, value] : map_.map) {
    if (!is_unread(key)) continue;
    std::string message = "unknown key";
    if (auto guess = closest_match(key, known)) message += " (did you mean '" + *guess + "'?)";
    message += known.empty() ? "; this block takes no keys"
                             : "; known keys: " + fmt::format("{}", fmt::join(known, ", "));
    throw InputError({value.file, value.line, full_key(key)}, message);
  }
}

void ConfigReader::reject_misspelling_of(std::string_view failing_key) const {
  // A model stops reading at its first error, which may be about a key the user gave under
  // another spelling ("bandwith: 40 GHz" → bandwidth missing): then the misspelling is the error
  // to report. Only for an error about an absent key: a key not read yet may be one read later
  // (serdes_tx reads rj, then sj), so an unread near spelling of a key that is present, or of
  // another absent key, proves nothing.
  if (map_.find(failing_key) != nullptr) return;
  const std::vector<std::string> meant{std::string(failing_key)};
  for (const auto& [key, value] : map_.map) {
    if (is_unread(key) && closest_match(key, meant)) {
      throw InputError({value.file, value.line, full_key(key)},
                       "unknown key (did you mean '" + meant.front() + "'?)");
    }
  }
}

void DocumentingReader::record(KeyDoc doc) {
  for (const auto& existing : keys_) {
    if (existing.key == doc.key) return;
  }
  keys_.push_back(std::move(doc));
}

double DocumentingReader::quantity(std::string_view key, Dimension dimension, double default_value,
                                   std::string_view doc, Range range) {
  std::string shown = format_number(default_value);
  if (dimension == Dimension::power)
    shown = fmt::format("{:g} W ({:.2f} dBm)", default_value, w_to_dbm(default_value));
  record({std::string(key), "quantity", std::string(dimension_name(dimension)), shown,
          describe_range(range), std::string(doc)});
  return default_value;
}

double DocumentingReader::required_quantity(std::string_view key, Dimension dimension,
                                            std::string_view doc, Range range) {
  record({std::string(key), "quantity", std::string(dimension_name(dimension)), "(required)",
          describe_range(range), std::string(doc)});
  // A value inside the range so that reading continues.
  if (std::isfinite(range.min)) return range.min + (range.min_exclusive ? 1.0 : 0.0);
  return 1.0;
}

std::optional<double> DocumentingReader::optional_quantity(std::string_view key,
                                                           Dimension dimension,
                                                           std::string_view doc, Range range) {
  record({std::string(key), "quantity", std::string(dimension_name(dimension)), "(optional)",
          describe_range(range), std::string(doc)});
  return std::nullopt;
}

long DocumentingReader::integer(std::string_view key, long default_value, std::string_view doc,
                                Range range) {
  record({std::string(key), "integer", "", std::to_string(default_value), describe_range(range),
          std::string(doc)});
  return default_value;
}

bool DocumentingReader::flag(std::string_view key, bool default_value, std::string_view doc) {
  record({std::string(key), "flag", "true/false", default_value ? "true" : "false", "",
          std::string(doc)});
  return default_value;
}

std::string DocumentingReader::choice(std::string_view key, std::string_view default_value,
                                      const std::vector<std::string_view>& choices,
                                      std::string_view doc) {
  std::vector<std::string> names(choices.begin(), choices.end());
  record({std::string(key), "choice", fmt::format("{}", fmt::join(names, " | ")),
          std::string(default_value), "", std::string(doc)});
  if (const auto it = choices_.find(std::string(key)); it != choices_.end()) return it->second;
  return std::string(default_value);
}

std::string DocumentingReader::text(std::string_view key, std::string_view default_value,
                                    std::string_view doc) {
  record({std::string(key), "text", "", std::string(default_value), "", std::string(doc)});
  return std::string(default_value);
}

std::vector<double> DocumentingReader::quantity_list(std::string_view key, Dimension dimension,
                                                     const std::vector<double>& default_value,
                                                     std::string_view doc, Range range) {
  std::vector<std::string> shown;
  for (double v : default_value) shown.push_back(format_number(v));
  record({std::string(key), "list", std::string(dimension_name(dimension)),
          "[" + fmt::format("{}", fmt::join(shown, ", ")) + "]", describe_range(range),
          std::string(doc)});
  return default_value;
}

bool DocumentingReader::has(std::string_view) const {
  return false;
}

void DocumentingReader::fail(std::string_view key, const std::string& message) const {
  throw InputError("documenting " + std::string(key) + ": " + message);
}

}  // namespace optilane
