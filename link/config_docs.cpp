#include "link/config_docs.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "link/config_reader.hpp"
#include "link/link_config.hpp"
#include "link/registry.hpp"

namespace optilane {
namespace {

/// A key and the choices under which the model reads it (empty: always).
struct DocumentedKey {
  KeyDoc doc;
  std::vector<std::string> only_when;
};

std::vector<KeyDoc> record_keys(const BlockType& type,
                                const std::map<std::string, std::string>& choices) {
  DocumentingReader reader;
  for (const auto& [key, value] : choices) reader.set_choice(key, value);
  try {
    (void)type.make(reader);
  } catch (const std::exception&) {
    // A model may refuse the documenting defaults after reading its keys; what it read stands.
  }
  return reader.keys();
}

std::vector<std::string> split_choices(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  std::istringstream in(text);
  while (in >> word) {
    if (word != "|") words.push_back(word);
  }
  return words;
}

/// The keys of a block: those read with every default, then those read only when a choice key
/// (kind, mode, …) takes another of its values.
std::vector<DocumentedKey> document_block(const BlockType& type) {
  const std::vector<KeyDoc> base = record_keys(type, {});
  std::vector<DocumentedKey> keys;
  for (const auto& doc : base) keys.push_back({doc, {}});
  for (const auto& choice : base) {
    if (choice.type != "choice") continue;
    std::map<std::string, std::set<std::string>> seen_with;  // key -> values of `choice`
    const std::vector<std::string> values = split_choices(choice.unit);
    for (const auto& value : values) {
      for (const auto& doc : record_keys(type, {{choice.key, value}})) {
        seen_with[doc.key].insert(value);
        const bool known = std::any_of(keys.begin(), keys.end(),
                                       [&](const auto& k) { return k.doc.key == doc.key; });
        if (!known) keys.push_back({doc, {}});
      }
    }
    for (auto& key : keys) {
      const auto& with = seen_with[key.doc.key];
      if (!with.empty() && with.size() < values.size() && key.only_when.empty()) {
        std::vector<std::string> shown;
        for (const auto& value : values) {
          if (with.count(value) != 0) shown.push_back(value);
        }
        key.only_when.push_back(choice.key + ": " + fmt::format("{}", fmt::join(shown, ", ")));
      }
    }
  }
  return keys;
}

std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out.empty() ? "—" : out;
}

std::string key_table(const std::vector<DocumentedKey>& keys) {
  std::string md;
  md += "| key | type | unit | default | range | meaning and source |\n";
  md += "|---|---|---|---|---|---|\n";
  for (const auto& key : keys) {
    std::string meaning = key.doc.doc;
    if (!key.only_when.empty()) {
      meaning =
          "*(only with " + fmt::format("{}", fmt::join(key.only_when, ", ")) + ")* " + meaning;
    }
    md += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", key.doc.key, key.doc.type,
                      cell(key.doc.unit), cell(key.doc.default_value), cell(key.doc.range),
                      cell(meaning));
  }
  return md;
}

template <typename Read>
std::vector<DocumentedKey> document_section(Read read, const std::string& prefix = "") {
  DocumentingReader reader;
  try {
    read(reader);
  } catch (const std::exception&) {
    // What was read before a refusal of the documenting defaults stands.
  }
  std::vector<DocumentedKey> keys;
  for (auto doc : reader.keys()) {
    doc.key = prefix + doc.key;
    keys.push_back({doc, {}});
  }
  return keys;
}

/// The top-level sections, read by the same functions as parse_link_config.
std::string sections_markdown() {
  std::string md;
  md += "\n## signal\n\nThe transmitted symbol stream (required section).\n\n";
  md += key_table(document_section([](ParamReader& r) {
    SignalConfig signal;
    read_signal_keys(r, signal);
  }));
  md += "\n## lanes\n\nHow many lanes the chain is built for and their wavelengths.\n\n";
  md += key_table(document_section([](ParamReader& r) {
    LanesConfig lanes;
    read_lanes_keys(r, false, lanes);
  }));
  md +=
      "\n## analysis\n\nWhat is computed from the received signal. `monte_carlo` is either "
      "true/false (default true: count errors over `signal.symbols`) or a map with the keys "
      "`monte_carlo.*` below.\n\n";
  auto analysis_keys = document_section([](ParamReader& r) {
    AnalysisConfig analysis;
    read_analysis_keys(r, analysis);
  });
  const auto monte_carlo_keys = document_section(
      [](ParamReader& r) {
        MonteCarloConfig monte_carlo;
        read_monte_carlo_keys(r, 65536, monte_carlo);
      },
      "monte_carlo.");
  analysis_keys.insert(analysis_keys.end(), monte_carlo_keys.begin(), monte_carlo_keys.end());
  md += key_table(analysis_keys);
  return md;
}

}  // namespace

std::string config_reference_markdown() {
  std::string md;
  md += "# Config reference\n\n";
  md +=
      "<!-- Generated from the block registry by `optilane docs config -o docs/config.md`; do "
      "not edit by hand (a test compares this file with the code). -->\n\n";
  md +=
      "A config is YAML (DESIGN.md §4; `examples/` has ready ones). Quantities are plain SI "
      "numbers or strings with a unit, checked for dimension: `500 m`, `2 km`, `106.25 GBd`, "
      "`13 dBm`, `-150 dB/Hz`, `15 pA/rtHz`, `0.8 A/W`, `60 GHz`, `1311 nm`. Unknown keys are "
      "errors. The sections `signal`, `lanes` and `analysis` come first below (DESIGN.md §4 has "
      "their design), then the blocks of `chain:`, in registry order. "
      "Each item of `chain:` names its block with `block:` and may give it a `name:` (used by "
      "`--set chain.NAME.key=…`).\n\n";
  md +=
      "`extends: NAME` (top level) starts from another config: NAME is a file beside this one, "
      "in a directory of `OPTILANE_PRESET_PATH` (colon-separated), or a shipped preset "
      "(`optilane presets` lists them; `.yaml` may be left out). The two are merged key by key: "
      "a map merges with the base's map, while a scalar or a list replaces the base's whole "
      "value — so a `chain:` given here replaces the base's whole chain (change one block's key "
      "with `--set chain.NAME.key=…` or by repeating the chain). A preset may extend another; "
      "a cycle is an error.\n\n";
  md +=
      "Columns: **unit** is the dimension the value is checked against (with its SI unit) or "
      "the allowed words; **default** is used when the key is absent (`(required)`: the key "
      "must be given; `(optional)`: the model derives it when absent); **range** is checked in "
      "SI units (dB for ratios).\n\n";
  md += sections_markdown();
  md += "\n## Blocks of `chain:`\n\n";
  md += "| block | group | what it is |\n|---|---|---|\n";
  for (const auto& type : block_types()) {
    md += fmt::format("| [`{}`](#{}) | {} | {} |\n", type.name, type.name, type.group,
                      cell(type.summary));
  }
  for (const auto& type : block_types()) {
    md += fmt::format("\n## {}\n\n{} (group: {}).\n\n", type.name, type.summary, type.group);
    const auto keys = document_block(type);
    if (keys.empty()) {
      md += "No keys.\n";
      continue;
    }
    md += key_table(keys);
  }
  return md;
}

}  // namespace optilane
