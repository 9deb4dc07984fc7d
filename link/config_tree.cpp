#include "link/config_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "phy/input_file.hpp"

namespace optilane {
namespace {

// yaml-cpp keeps an alias as a second reference to its anchor's node; the tree below copies it at
// every use, so nested aliases grow exponentially ("billion laughs": ten levels of nine aliases
// in 1 KB of text are 9^10 nodes). The expansion is counted on yaml-cpp's shared nodes before
// anything is copied. A config holds hundreds to a few thousand nodes.
constexpr std::size_t max_config_nodes = 1'000'000;

/// Counts the nodes `node` expands to into `count`; throws once it passes max_config_nodes.
/// `furthest_line` is the last line reached on the way down: an alias's own mark is its anchor's
/// (earlier) line, so the furthest line is where the text that uses the aliases stands.
void check_expansion(const YAML::Node& node, const std::string& file, int furthest_line,
                     std::size_t& count) {
  furthest_line = std::max(furthest_line, node.Mark().line + 1);
  if (++count > max_config_nodes) {
    throw InputError({file, furthest_line, ""},
                     "YAML aliases expand to more than " + std::to_string(max_config_nodes) +
                         " nodes (every use of an alias copies its anchor's value)");
  }
  if (node.IsSequence()) {
    for (const auto& item : node) check_expansion(item, file, furthest_line, count);
  } else if (node.IsMap()) {
    for (const auto& item : node) {
      check_expansion(item.second, file, std::max(furthest_line, item.first.Mark().line + 1),
                      count);
    }
  }
}

ConfigNode convert(const YAML::Node& node, const std::string& file, const std::string& path) {
  ConfigNode out;
  out.file = file;
  out.line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out.type = ConfigNode::Type::null;
      break;
    case YAML::NodeType::Scalar:
      out.type = ConfigNode::Type::scalar;
      out.scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence: {
      out.type = ConfigNode::Type::sequence;
      int index = 0;
      for (const auto& item : node) {
        out.sequence.push_back(convert(item, file, path + "[" + std::to_string(index++) + "]"));
      }
      break;
    }
    case YAML::NodeType::Map: {
      out.type = ConfigNode::Type::map;
      for (const auto& item : node) {
        if (!item.first.IsScalar()) {
          const int line = item.first.Mark().line + 1;
          throw InputError({file, line, path}, "map keys must be plain words");
        }
        const std::string key = item.first.Scalar();
        const std::string child_path = path.empty() ? key : path + "." + key;
        if (out.find(key) != nullptr) {
          throw InputError({file, item.first.Mark().line + 1, child_path},
                           "duplicate key (it already appears on line " +
                               std::to_string(out.find(key)->line) + ")");
        }
        ConfigNode child = convert(item.second, file, child_path);
        child.line = item.first.Mark().line + 1;  // a value is reported at its key's line
        out.map.emplace_back(key, std::move(child));
      }
      break;
    }
  }
  return out;
}

void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.type) {
    case ConfigNode::Type::null:
      out << YAML::Null;
      break;
    case ConfigNode::Type::scalar:
      out << node.scalar;
      break;
    case ConfigNode::Type::sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node.sequence) emit(out, item);
      out << YAML::EndSeq;
      break;
    case ConfigNode::Type::map:
      out << YAML::BeginMap;
      for (const auto& [key, value] : node.map) {
        out << YAML::Key << key << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      break;
  }
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '.') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

bool is_index(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const ConfigNode* ConfigNode::find(std::string_view key) const {
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

ConfigNode* ConfigNode::find(std::string_view key) {
  for (auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value) {
  if (type != Type::map) {
    type = Type::map;
    map.clear();
  }
  if (ConfigNode* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  map.emplace_back(key, std::move(value));
  return map.back().second;
}

void ConfigNode::erase(std::string_view key) {
  std::erase_if(map, [&](const auto& entry) { return entry.first == key; });
}

ConfigNode parse_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError({file, e.mark.line >= 0 ? e.mark.line + 1 : 0, ""},
                     "malformed YAML: " + e.msg);
  }
  std::size_t nodes = 0;
  check_expansion(root, file, 0, nodes);
  ConfigNode tree = convert(root, file, "");
  if (tree.type == ConfigNode::Type::null) {
    tree.type = ConfigNode::Type::map;  // an empty file is an empty map
  }
  return tree;
}

ConfigNode load_yaml_file(const std::string& path) {
  return parse_yaml(read_input_file(path, "a YAML config file"), path);
}

void merge_into(ConfigNode& base, const ConfigNode& override) {
  if (base.type == ConfigNode::Type::map && override.type == ConfigNode::Type::map) {
    for (const auto& [key, value] : override.map) {
      if (ConfigNode* existing = base.find(key)) {
        merge_into(*existing, value);
      } else {
        base.map.emplace_back(key, value);
      }
    }
    base.file = override.file;
    base.line = override.line;
    return;
  }
  base = override;
}

std::string to_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

void apply_override(ConfigNode& root, const std::string& assignment) {
  const std::string where = "--set " + assignment;
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError({"<command line>", 0, assignment}, "--set expects KEY=VALUE");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string value_text = assignment.substr(eq + 1);
  ConfigNode value = parse_yaml(value_text, "<command line: --set " + path + ">");
  if (value.type == ConfigNode::Type::map && value.map.empty() &&
      value_text.find('{') == std::string::npos) {
    value.type = ConfigNode::Type::scalar;  // "--set key=" sets an empty string
    value.scalar.clear();
  }
  value.file = "<command line>";
  value.line = 0;

  const std::vector<std::string> parts = split_path(path);
  ConfigNode* node = &root;
  std::string walked;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) {
      throw InputError({"<command line>", 0, path}, "empty segment in the key path");
    }
    walked += (walked.empty() ? "" : ".") + part;
    const bool last = i + 1 == parts.size();
    if (node->type == ConfigNode::Type::sequence) {
      ConfigNode* next = nullptr;
      if (is_index(part)) {
        const std::size_t index = std::stoul(part);
        if (index >= node->sequence.size()) {
          throw InputError({"<command line>", 0, walked},
                           "index " + part + " is past the end (" +
                               std::to_string(node->sequence.size()) + " items)");
        }
        next = &node->sequence[index];
      } else {
        for (auto& item : node->sequence) {
          const ConfigNode* kind = item.find("block");
          const ConfigNode* name = item.find("name");
          if ((name != nullptr && name->scalar == part) ||
              (kind != nullptr && kind->scalar == part)) {
            next = &item;
            break;
          }
        }
        if (next == nullptr) {
          throw InputError({"<command line>", 0, walked},
                           "no item named '" + part + "' (give an index or a block name)");
        }
      }
      if (last) {
        *next = value;
        return;
      }
      node = next;
      continue;
    }
    if (node->type != ConfigNode::Type::map) {
      if (node->type == ConfigNode::Type::null) {
        node->type = ConfigNode::Type::map;
      } else {
        throw InputError({"<command line>", 0, walked}, "cannot set a key inside a plain value");
      }
    }
    if (last) {
      node->set(part, value);
      return;
    }
    ConfigNode* next = node->find(part);
    if (next == nullptr) {
      ConfigNode empty;
      empty.type = ConfigNode::Type::map;
      empty.file = "<command line>";
      next = &node->set(part, empty);
    }
    node = next;
  }
  (void)where;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t d = distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace optilane
