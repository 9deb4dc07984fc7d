// Error kinds (STYLE.md habit 14): bad input is one type, caught at the top and mapped to exit
// status 2; numerical failures name their block; internal invariants are assertions.
#pragma once

#include <stdexcept>
#include <string>

namespace optilane {

/// Where a piece of input came from: a file and a 1-based line, or "--set" on the command line.
struct SourceLocation {
  std::string file;  ///< file name, or "<command line>"
  int line = 0;      ///< 1-based; 0 when unknown
  std::string key;   ///< dotted key path, e.g. "chain[3].length"

  [[nodiscard]] std::string describe() const;
};

/// Bad input from the user: config, arguments, files. Exit status 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const SourceLocation& where, const std::string& message)
      : std::runtime_error(where.describe() + ": " + message), where_(where) {}
  /// `inner` (its location kept) with what referred to its input appended: a data file's error
  /// names the file and line of the data, then the config key that named the file.
  InputError(const InputError& inner, const SourceLocation& referred_by)
      : std::runtime_error(std::string(inner.what()) + " (read for " + referred_by.describe() +
                           ")"),
        where_(inner.where_) {}

  /// An error about a whole file worded as a sentence about it ("x.yaml is a directory, ..."),
  /// located at the file (line 0) so that a caller can still add what referred to it.
  static InputError about_file(const std::string& path, const std::string& predicate) {
    return {FileSentence{}, path, predicate};
  }

  [[nodiscard]] const SourceLocation& where() const { return where_; }

 private:
  struct FileSentence {};
  InputError(FileSentence, const std::string& path, const std::string& predicate)
      : std::runtime_error(path + " " + predicate), where_{path, 0, ""} {}

  SourceLocation where_;
};

/// A model's parameter is out of range. Thrown by constructors that validate their parameter
/// struct; the config layer re-throws it as an InputError with the file and line of the block.
class ParameterError : public std::invalid_argument {
 public:
  ParameterError(std::string key, const std::string& message)
      : std::invalid_argument(message), key_(std::move(key)) {}
  [[nodiscard]] const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// A numerical failure inside a block (NaN/Inf, non-convergence). Exit status 3.
class NumericError : public std::runtime_error {
 public:
  explicit NumericError(const std::string& message) : std::runtime_error(message) {}
};

inline std::string SourceLocation::describe() const {
  std::string text = file.empty() ? std::string("<input>") : file;
  if (line > 0) text.append(":").append(std::to_string(line));
  if (!key.empty()) text.append(": key '").append(key).append("'");
  return text;
}

}  // namespace optilane
