#include "link/validation.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>

#include "link/config_reader.hpp"
#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/registry.hpp"
#include "link/report.hpp"
#include "phy/analysis/fec.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/analysis/tdecq.hpp"
#include "phy/errors.hpp"

namespace optilane {
namespace fs = std::filesystem;

namespace {

/// TDECQ of an ideal PAM4 transmitter (rectangular levels 0…3 W, no bandwidth limit, no
/// reference-receiver filter, a single-tap reference equaliser) whose only impairment is Gaussian
/// noise of rms `sigma_over_oma`·OMA_outer at the decision point: the closed-form check of the
/// TDECQ kernel's noise term (phy/analysis/tdecq.hpp, step 5). The pattern is the base-4 digits
/// of 0 … 4⁶−1, so every level occurs exactly as often as every other and the mean sits exactly
/// between the outer levels, as the closed form 1.5·Q(·) assumes (SSPRQ is not exactly balanced).
double tdecq_ideal_pam4_with_tx_noise(double sigma_over_oma) {
  constexpr int sps = 4;
  constexpr int digits = 6;
  std::vector<int> levels;
  for (int k = 0; k < (1 << (2 * digits)); ++k) {
    for (int d = digits - 1; d >= 0; --d) levels.push_back((k >> (2 * d)) & 3);
  }
  std::vector<double> power(levels.size() * sps);
  for (std::size_t k = 0; k < levels.size(); ++k) {
    std::fill_n(power.begin() + static_cast<std::ptrdiff_t>(k * sps), sps,
                static_cast<double>(levels[k]));
  }
  const double oma_w = 3.0;
  const TdecqResult r = tdecq(power, levels,
                              TdecqSettings{.samples_per_symbol = sps,
                                            .reference_bandwidth_hz = -1.0,
                                            .ffe_taps = 1,
                                            .tx_noise_rms_w = sigma_over_oma * oma_w});
  return r.tdecq_db;
}

/// Library functions a case may evaluate directly.
const std::map<std::string, std::function<double(double)>>& functions() {
  static const std::map<std::string, std::function<double(double)>> table = {
      {"kp4_post_fec_ber", [](double ber) { return rs_post_fec_ber(ber); }},
      {"kp4_codeword_failure", [](double ber) { return rs_codeword_failure(ber); }},
      {"q_inverse", [](double p) { return q_inverse(p); }},
      {"q_function", [](double x) { return q_function(x); }},
      {"tdecq_ideal_pam4_with_tx_noise", tdecq_ideal_pam4_with_tx_noise},
  };
  return table;
}

/// A quantity whose dimension the case does not state: a plain number, or any unit the parser
/// knows (in SI).
std::optional<double> any_quantity(const std::string& text) {
  for (int d = 0; d <= static_cast<int>(Dimension::angle); ++d) {
    try {
      return parse_quantity(text, static_cast<Dimension>(d));
    } catch (const InputError&) {
    }
  }
  return std::nullopt;
}

std::string text_of(const ConfigNode& node) {
  return node.is_scalar() ? node.scalar : to_yaml(node);
}

}  // namespace

ValidationCase load_validation_case(const std::string& path) {
  const ConfigNode root = load_yaml_file(path);
  if (!root.is_map()) throw InputError({path, root.line, ""}, "a validation case is a YAML map");
  ValidationCase c;
  c.file = path;
  ConfigReader r(root, "", {"block", "config", "set", "lane", "tolerance", "requires"});
  c.name = r.text("name", fs::path(path).stem().string(), "Case name.");
  c.category = r.choice("category", "closed-form",
                        {"ieee-optical", "ieee-electrical", "transmitter", "receiver", "fibre",
                         "pcb", "power", "closed-form", "dsp"},
                        "Category.");
  c.quantity = r.text("quantity", "", "What is compared.");
  if (c.quantity.empty()) r.fail("quantity", "missing required key");
  const ConfigNode* expected = root.find("expected");
  if (expected == nullptr || !expected->is_scalar()) r.fail("expected", "expected a number");
  // A plain number in `unit`, or a quantity with its unit (converted to SI: then `unit` should
  // be the SI unit, e.g. `expected: 57.1 GHz` with `unit: Hz`).
  const auto expected_value = any_quantity(expected->scalar);
  if (!expected_value) r.fail("expected", "'" + expected->scalar + "' is not a number");
  c.expected = *expected_value;
  (void)r.text("expected", "", "Expected value.");
  c.unit = r.text("unit", "", "Unit of the quantity, for display.");
  c.source = r.text("source", "", "Where the expected value comes from.");
  if (c.source.empty()) r.fail("source", "every case names its source");
  c.note = r.text("note", "", "One line.");
  c.quick = r.flag("quick", false, "Part of the short CI form.");
  c.known_deviation =
      r.text("known_deviation", "", "Why this case fails and is kept failing (a known deviation).");
  c.limit = r.choice("limit", "", {"upper", "lower"},
                     "A specification limit: upper (got <= expected) or lower (got >= expected).");
  if (const ConfigNode* t = root.find("tolerance"); t != nullptr && t->is_map()) {
    ConfigReader tr(*t, "tolerance");
    const auto rel =
        tr.optional_quantity("relative", Dimension::dimensionless, "Fraction.", Range::positive());
    const auto abs =
        tr.optional_quantity("absolute", Dimension::dimensionless, "In `unit`.", Range::positive());
    tr.reject_unknown_keys();
    if (rel.has_value() == abs.has_value()) {
      throw InputError({t->file, t->line, "tolerance"}, "give exactly one of relative, absolute");
    }
    c.relative = rel.has_value();
    c.tolerance = rel ? *rel : *abs;
  } else if (c.limit.empty()) {
    throw InputError({root.file, root.line, "tolerance"},
                     "expected {relative: x} or {absolute: x}, set from the source's spread");
  }
  const std::string argument = r.text("argument", "", "Argument of the metric or function.");
  if (!argument.empty()) {
    c.argument = any_quantity(argument);
    if (!c.argument) r.fail("argument", "'" + argument + "' is not a quantity");
  }
  if (const ConfigNode* run = root.find("run"))
    c.run_path = (fs::path(path).parent_path() / run->scalar).string();
  (void)r.text("run", "", "A config file to run.");
  c.function =
      r.has("function") ? std::optional(r.text("function", "", "Function.")) : std::nullopt;
  if (const ConfigNode* block = root.find("block")) c.block_yaml = text_of(*block);
  if (const ConfigNode* config = root.find("config")) c.config_yaml = to_yaml(*config);
  if (const ConfigNode* set = root.find("set")) {
    if (!set->is_sequence()) throw InputError({set->file, set->line, "set"}, "expected a list");
    for (const auto& item : set->sequence) c.sets.push_back(item.scalar);
  }
  if (const ConfigNode* required = root.find("requires")) {
    const auto add = [&](const ConfigNode& item) {
      if (!item.is_scalar() || item.scalar.empty()) {
        throw InputError({item.file, item.line, "requires"},
                         "expected a file path (relative to the case file)");
      }
      c.required_files.push_back(
          (fs::path(path).parent_path() / item.scalar).lexically_normal().string());
    };
    if (required->is_sequence()) {
      for (const auto& item : required->sequence) add(item);
    } else {
      add(*required);
    }
  }
  if (const ConfigNode* lane = root.find("lane")) {
    ConfigReader lr(*lane, "lane");
    c.lane_symbol_rate_bd = lr.quantity("symbol_rate", Dimension::symbol_rate, 53.125e9,
                                        "Symbol rate.", Range::positive());
    c.lane_wavelength_m =
        lr.quantity("wavelength", Dimension::length, 1311e-9, "Wavelength.", Range::positive());
    c.lane_samples_per_symbol = static_cast<int>(
        lr.integer("samples_per_symbol", 16, "Samples per symbol.", Range::between(2, 256)));
    lr.reject_unknown_keys();
  }
  r.reject_unknown_keys();
  const int kinds =
      static_cast<int>(c.block_yaml.has_value()) + static_cast<int>(c.run_path.has_value()) +
      static_cast<int>(c.config_yaml.has_value()) + static_cast<int>(c.function.has_value());
  if (kinds != 1) {
    throw InputError({root.file, root.line, "run"},
                     "give exactly one of block, run, config, function");
  }
  if (c.function && functions().count(*c.function) == 0) {
    r.fail("function", "unknown function '" + *c.function + "'");
  }
  return c;
}

std::vector<ValidationCase> load_validation_cases(const std::string& directory) {
  std::vector<ValidationCase> cases;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw InputError({directory, 0, ""}, "no validation directory");
  }
  for (const auto& entry : fs::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      cases.push_back(load_validation_case(entry.path().string()));
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

std::optional<double> json_path_number(const nlohmann::json& document, const std::string& path) {
  const nlohmann::json* node = &document;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot - start);
    if (node->is_array()) {
      if (part.empty() || !std::all_of(part.begin(), part.end(), ::isdigit)) return std::nullopt;
      const std::size_t index = std::stoul(part);
      if (index >= node->size()) return std::nullopt;
      node = &(*node)[index];
    } else if (node->is_object()) {
      if (!node->contains(part)) return std::nullopt;
      node = &(*node)[part];
    } else {
      return std::nullopt;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_number()) return node->get<double>();
  if (node->is_boolean()) return node->get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

namespace {

double evaluate_value(const ValidationCase& c) {
  if (c.function) return functions().at(*c.function)(c.argument.value_or(0.0));
  if (c.block_yaml) {
    const ConfigNode node = parse_yaml(*c.block_yaml, c.file);
    const ConfigNode* kind = node.find("block");
    if (kind == nullptr) throw InputError({c.file, node.line, "block.block"}, "missing 'block:'");
    const BlockType* type = find_block_type(kind->scalar);
    if (type == nullptr) throw InputError({c.file, node.line, "block.block"}, "unknown block");
    ConfigReader reader(node, "block", {"block", "name"});
    std::unique_ptr<Block> block;
    LaneContext lane;
    lane.symbol_rate_bd = c.lane_symbol_rate_bd;
    lane.samples_per_symbol = c.lane_samples_per_symbol;
    lane.wavelength_m = c.lane_wavelength_m;
    try {
      block = type->make(reader);
      block->prepare(lane);
    } catch (const ParameterError& e) {
      throw InputError(reader.where(e.key()), e.what());
    }
    reader.reject_unknown_keys();
    const auto value = block->metric(c.quantity, c.argument.value_or(0.0));
    if (!value) {
      const auto names = block->metric_names();
      throw InputError({c.file, 0, "quantity"},
                       fmt::format("block '{}' has no metric '{}' (it has: {})", kind->scalar,
                                   c.quantity, fmt::join(names, ", ")));
    }
    return *value;
  }
  ConfigNode root =
      c.run_path ? resolve_config(*c.run_path, {}) : parse_yaml(*c.config_yaml, c.file);
  for (const auto& assignment : c.sets) apply_override(root, assignment);
  const LinkConfig config = parse_link_config(root);
  const LinkResult result = run_link(config, 1);
  const nlohmann::json summary = summary_json(config, result);
  const auto value = json_path_number(summary, c.quantity);
  if (!value) {
    throw InputError({c.file, 0, "quantity"},
                     "the run's JSON summary has no number at '" + c.quantity + "'");
  }
  return *value;
}

}  // namespace

ValidationResult evaluate_case(const ValidationCase& c) {
  ValidationResult r;
  r.source_case = &c;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& file : c.required_files) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      r.missing_file = file;
      return r;
    }
  }
  try {
    const double got = evaluate_value(c);
    r.got = got;
    r.deviation = c.relative ? (got - c.expected) / std::abs(c.expected) : got - c.expected;
    if (c.limit == "upper") {
      r.pass = std::isfinite(got) && r.deviation <= c.tolerance;
    } else if (c.limit == "lower") {
      r.pass = std::isfinite(got) && r.deviation >= -c.tolerance;
    } else {
      r.pass = std::isfinite(got) && std::abs(r.deviation) <= c.tolerance;
    }
  } catch (const std::exception& e) {
    r.error = e.what();
    r.pass = false;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::vector<ValidationResult> evaluate_cases(const std::vector<ValidationCase>& cases,
                                             int threads) {
  std::vector<ValidationResult> results(cases.size());
  const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (std::size_t i = 0; i < cases.size(); ++i) results[i] = evaluate_case(cases[i]);
  return results;
}

ValidationStatus validation_status(const ValidationResult& r) {
  if (!r.missing_file.empty()) return ValidationStatus::skipped;
  const bool known = !r.source_case->known_deviation.empty();
  if (r.pass) return known ? ValidationStatus::unexpected_pass : ValidationStatus::pass;
  return known ? ValidationStatus::known : ValidationStatus::fail;
}

std::string_view to_string(ValidationStatus status) {
  switch (status) {
    case ValidationStatus::pass:
      return "pass";
    case ValidationStatus::fail:
      return "FAIL";
    case ValidationStatus::known:
      return "known";
    case ValidationStatus::unexpected_pass:
      return "unexpected pass";
    case ValidationStatus::skipped:
      return "skipped";
  }
  return "?";
}

bool validation_ok(const ValidationResult& r) {
  if (validation_status(r) == ValidationStatus::skipped) return true;
  return r.pass == r.source_case->known_deviation.empty();
}

namespace {
std::string tolerance_text(const ValidationCase& c) {
  if (!c.limit.empty()) {
    const char* sign = c.limit == "upper" ? "≤ expected" : "≥ expected";
    if (c.tolerance == 0.0) return sign;
    return c.relative ? fmt::format("{} {}{:g} %", sign, c.limit == "upper" ? "+" : "−",
                                    100.0 * c.tolerance)
                      : fmt::format("{} {}{:g} {}", sign, c.limit == "upper" ? "+" : "−",
                                    c.tolerance, c.unit);
  }
  return c.relative ? fmt::format("±{:g} %", 100.0 * c.tolerance)
                    : fmt::format("±{:g} {}", c.tolerance, c.unit);
}
std::string deviation_text(const ValidationResult& r) {
  if (!r.got) return "-";
  return r.source_case->relative ? fmt::format("{:+.2f} %", 100.0 * r.deviation)
                                 : fmt::format("{:+.3g} {}", r.deviation, r.source_case->unit);
}
}  // namespace

std::string validation_table(const std::vector<ValidationResult>& results) {
  std::string out =
      fmt::format("{:<38} {:<15} {:>12} {:>12} {:>12} {:>12}  {:<5}  {}\n", "case", "category",
                  "expected", "got", "deviation", "tolerance", "", "source");
  int passed = 0, known = 0, unexpected = 0, skipped = 0;
  for (const auto& r : results) {
    const ValidationCase& c = *r.source_case;
    const ValidationStatus status = validation_status(r);
    passed += r.pass ? 1 : 0;
    known += status == ValidationStatus::known ? 1 : 0;
    unexpected += status == ValidationStatus::unexpected_pass ? 1 : 0;
    skipped += status == ValidationStatus::skipped ? 1 : 0;
    const std::string_view word = status == ValidationStatus::unexpected_pass ? "PASS?"
                                  : status == ValidationStatus::skipped       ? "skip"
                                                                              : to_string(status);
    out += fmt::format("{:<38} {:<15} {:>12.5g} {:>12} {:>12} {:>12}  {:<5}  {}\n", c.name,
                       c.category, c.expected, r.got ? fmt::format("{:.5g}", *r.got) : "-",
                       deviation_text(r), tolerance_text(c), word, c.source.substr(0, 70));
    if (status == ValidationStatus::skipped) {
      out += "    skipped: reference data absent: " + r.missing_file + "\n";
    }
    if (!r.error.empty()) out += "    error: " + r.error + "\n";
    if (status == ValidationStatus::known) {
      out += "    known deviation: " + c.known_deviation + "\n";
    }
    if (status == ValidationStatus::unexpected_pass) {
      out += "    a known deviation now passes: review the case and drop its known_deviation\n";
    }
  }
  out += fmt::format("{} of {} cases pass", passed, results.size() - skipped);
  if (skipped > 0) out += fmt::format(" ({} skipped: reference data absent)", skipped);
  if (known > 0)
    out +=
        fmt::format("; {} known deviation{} as recorded", known, known == 1 ? " fails" : "s fail");
  if (unexpected > 0)
    out += fmt::format("; {} known deviation{}", unexpected,
                       unexpected == 1 ? " now passes" : "s now pass");
  out += "\n";
  return out;
}

nlohmann::json validation_json(const std::vector<ValidationResult>& results) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : results) {
    const ValidationCase& c = *r.source_case;
    nlohmann::json row = {
        {"name", c.name},
        {"category", c.category},
        {"quantity", c.quantity},
        {"unit", c.unit},
        {"expected", c.expected},
        {"got", r.got ? nlohmann::json(*r.got) : nlohmann::json(nullptr)},
        {"tolerance", c.tolerance},
        {"tolerance_kind", c.relative ? "relative" : "absolute"},
        {"limit", c.limit.empty() ? "two-sided" : c.limit},
        {"pass", r.pass},
        {"status", std::string(to_string(validation_status(r)))},
        {"known_deviation",
         c.known_deviation.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.known_deviation)},
        {"source", c.source},
        {"note", c.note}};
    if (!r.error.empty()) row["error"] = r.error;
    if (!r.missing_file.empty()) row["missing_file"] = r.missing_file;
    rows.push_back(row);
  }
  return rows;
}

namespace {
std::string markdown_status(const ValidationResult& r) {
  switch (validation_status(r)) {
    case ValidationStatus::known:
      return "known deviation: " + r.source_case->known_deviation;
    case ValidationStatus::unexpected_pass:
      return "**pass (a known deviation)**";
    case ValidationStatus::pass:
      return "pass";
    case ValidationStatus::skipped:
      return "skipped: reference data absent (" + r.missing_file + ")";
    case ValidationStatus::fail:
      break;
  }
  return "**FAIL**";
}
}  // namespace

std::string validation_markdown(const std::vector<ValidationResult>& results) {
  std::string out =
      "# Validation\n\nGenerated by `optilane validate --markdown docs/validation.md` from the "
      "cases in `validation/`. Each case holds a model or a whole link against a published figure "
      "or a closed-form result; tolerances come from the source's own spread. A failing case "
      "stays failing until the model is fixed; a failure that is understood is marked a known "
      "deviation with its reason (result `known`), and a known deviation that starts to pass "
      "fails the suite until its record is reviewed.\n\n"
      "| case | category | quantity | expected | got | tolerance | result | source |\n"
      "|---|---|---|---|---|---|---|---|\n";
  int passed = 0;
  for (const auto& r : results) {
    const ValidationCase& c = *r.source_case;
    passed += r.pass ? 1 : 0;
    std::string source = c.source;
    // Turn a bare URL into a link.
    if (const auto http = source.find("http"); http != std::string::npos) {
      const auto end = source.find_first_of(" ;,)", http);
      const std::string url = source.substr(http, end - http);
      source.replace(http, url.size(), "[" + url + "](" + url + ")");
    }
    out += fmt::format("| {} | {} | {} | {:g} {} | {} | {} | {} | {} |\n", c.name, c.category,
                       c.quantity, c.expected, c.unit,
                       r.got ? fmt::format("{:.4g}", *r.got) : "error: " + r.error,
                       tolerance_text(c), markdown_status(r), source);
  }
  out += fmt::format("\n{} of {} cases pass.\n", passed, results.size());
  return out;
}

}  // namespace optilane
