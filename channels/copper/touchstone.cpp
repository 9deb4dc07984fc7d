#include "channels/copper/touchstone.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "phy/errors.hpp"
#include "phy/input_file.hpp"
#include "phy/units.hpp"

namespace optilane {

namespace {

enum class PairFormat { ri, ma, db };

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool parse_number(std::string_view token, double& value) {
  // from_chars does not take a leading '+'.
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  return ec == std::errc() && ptr == end && std::isfinite(value);
}

std::vector<std::string_view> split_tokens(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (std::isspace(static_cast<unsigned char>(line[i])) || line[i] == ','))
      ++i;
    const std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])) && line[i] != ',')
      ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

Cplx pair_value(PairFormat format, double a, double b) {
  switch (format) {
    case PairFormat::ri:
      return {a, b};
    case PairFormat::ma:
      return std::polar(a, b * pi / 180.0);
    case PairFormat::db:
      return std::polar(std::pow(10.0, a / 20.0), b * pi / 180.0);
  }
  return {};
}

}  // namespace

TouchstoneData parse_touchstone(std::string_view text, int ports, const std::string& source) {
  const auto fail = [&source](int line, const std::string& message) -> void {
    throw InputError(SourceLocation{.file = source, .line = line, .key = ""}, message);
  };
  if (ports < 1 || ports > 64) {
    fail(0, fmt::format("cannot read a {}-port Touchstone file (name it .s2p, .s4p, ...)", ports));
  }
  TouchstoneData data;
  data.ports = ports;
  double unit_hz = 1e9;
  PairFormat format = PairFormat::ma;
  bool seen_option = false;
  const std::size_t per_record = 1 + 2 * static_cast<std::size_t>(ports * ports);
  std::vector<double> values;
  values.reserve(per_record);
  int record_line = 0;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (const std::size_t bang = line.find('!'); bang != std::string_view::npos) {
      line = line.substr(0, bang);
    }
    const std::vector<std::string_view> tokens = split_tokens(line);
    if (tokens.empty()) {
      if (eol == text.size()) break;
      continue;
    }
    if (tokens.front().front() == '#') {
      if (seen_option) continue;  // the spec: only the first option line counts
      if (!values.empty() || !data.frequency_hz.empty()) {
        fail(line_no, "the option line must come before the data");
      }
      seen_option = true;
      std::vector<std::string> words;
      for (auto t : tokens) {
        std::string w = upper(t);
        if (w.front() == '#') w.erase(0, 1);
        if (!w.empty()) words.push_back(w);
      }
      for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w == "HZ")
          unit_hz = 1.0;
        else if (w == "KHZ")
          unit_hz = 1e3;
        else if (w == "MHZ")
          unit_hz = 1e6;
        else if (w == "GHZ")
          unit_hz = 1e9;
        else if (w == "S")
          continue;
        else if (w == "Y" || w == "Z" || w == "G" || w == "H") {
          fail(line_no,
               fmt::format("bad option line: {}-parameters are not supported (only S)", w));
        } else if (w == "RI")
          format = PairFormat::ri;
        else if (w == "MA")
          format = PairFormat::ma;
        else if (w == "DB")
          format = PairFormat::db;
        else if (w == "R") {
          double z0 = 0.0;
          if (i + 1 >= words.size() || !parse_number(words[i + 1], z0) || !(z0 > 0.0)) {
            fail(line_no,
                 "bad option line: R must be followed by a positive reference "
                 "impedance in Ω");
          }
          data.z0_ohm = z0;
          ++i;
        } else {
          fail(line_no, fmt::format("bad option line: unknown word '{}' (expected Hz, kHz, MHz, "
                                    "GHz, S, DB, MA, RI or R <ohms>)",
                                    w));
        }
      }
      continue;
    }
    if (tokens.front().front() == '[') {
      fail(line_no, fmt::format("Touchstone 2.0 keyword '{}' is not supported (Touchstone 1.x "
                                "only)",
                                tokens.front()));
    }
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      double v = 0.0;
      if (!parse_number(tokens[t], v)) {
        fail(line_no, fmt::format("'{}' is not a number", tokens[t]));
      }
      if (values.empty()) {
        if (t != 0) fail(line_no, "a frequency must start a line (wrong column count above?)");
        record_line = line_no;
      }
      values.push_back(v);
      if (values.size() == per_record) {
        if (t + 1 != tokens.size()) {
          fail(line_no, fmt::format("wrong column count: {} extra value(s) after the {} values of "
                                    "the {}-port record that started on line {}",
                                    tokens.size() - t - 1, per_record, ports, record_line));
        }
        const double f = values[0] * unit_hz;
        if (f < 0.0) fail(record_line, fmt::format("negative frequency {} Hz", f));
        if (!data.frequency_hz.empty() && !(f > data.frequency_hz.back())) {
          fail(record_line, fmt::format("frequencies must increase: {} Hz after {} Hz", f,
                                        data.frequency_hz.back()));
        }
        std::vector<Cplx> s(static_cast<std::size_t>(ports * ports));
        for (std::size_t k = 0; k < s.size(); ++k) {
          s[k] = pair_value(format, values[1 + 2 * k], values[2 + 2 * k]);
        }
        if (ports == 2) std::swap(s[1], s[2]);  // 1.x 2-port order S11 S21 S12 S22
        data.frequency_hz.push_back(f);
        data.s.push_back(std::move(s));
        values.clear();
      }
    }
    if (ports <= 2 && !values.empty()) {
      fail(line_no, fmt::format("wrong column count: a {}-port record needs {} values on one "
                                "line, found {}",
                                ports, per_record, values.size()));
    }
    if (eol == text.size()) break;
  }
  if (!values.empty()) {
    fail(record_line, fmt::format("truncated data: the record starting here has {} of its {} "
                                  "values",
                                  values.size(), per_record));
  }
  if (data.frequency_hz.empty()) fail(line_no, "no network data in the file");
  data.frequency_unit_hz = unit_hz;
  return data;
}

int touchstone_ports_from_name(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return 0;
  const std::string ext = upper(path.substr(dot + 1));
  if (ext.size() < 3 || ext.front() != 'S' || ext.back() != 'P') return 0;
  int n = 0;
  const auto digits = std::string_view(ext).substr(1, ext.size() - 2);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() && ptr == digits.data() + digits.size() ? n : 0;
}

TouchstoneData read_touchstone(const std::string& path) {
  const int ports = touchstone_ports_from_name(path);
  if (ports == 0) {
    throw InputError(SourceLocation{.file = path, .line = 0, .key = ""},
                     "not a Touchstone file name (expected .s2p, .s4p, ... .sNp)");
  }
  return parse_touchstone(read_input_file(path, "a Touchstone file"), ports, path);
}

std::vector<SParams2> differential_sparams(const TouchstoneData& data,
                                           const std::array<int, 4>& order) {
  std::vector<SParams2> out(data.frequency_hz.size());
  // Differential reference of the data: z0 for a 2-port taken as differential, 2 z0 for a 4-port.
  const double reference = data.ports == 2 ? data.z0_ohm : 2.0 * data.z0_ohm;
  if (data.ports == 2) {
    for (std::size_t k = 0; k < out.size(); ++k) {
      out[k] = {.s11 = data.at(k, 1, 1),
                .s12 = data.at(k, 1, 2),
                .s21 = data.at(k, 2, 1),
                .s22 = data.at(k, 2, 2)};
    }
  } else if (data.ports == 4) {
    std::array<int, 4> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != std::array<int, 4>{1, 2, 3, 4}) {
      throw ParameterError("port_order",
                           "touchstone.port_order must list ports 1, 2, 3 and 4 "
                           "once each (in+, in−, out+, out−)");
    }
    const auto sdd = [&](std::size_t k, int ap, int an, int bp, int bn) {
      return 0.5 *
             (data.at(k, ap, bp) - data.at(k, ap, bn) - data.at(k, an, bp) + data.at(k, an, bn));
    };
    const auto [ip, in, op, on] = order;
    for (std::size_t k = 0; k < out.size(); ++k) {
      out[k] = {.s11 = sdd(k, ip, in, ip, in),
                .s12 = sdd(k, ip, in, op, on),
                .s21 = sdd(k, op, on, ip, in),
                .s22 = sdd(k, op, on, op, on)};
    }
  } else {
    throw ParameterError("file", fmt::format("touchstone: a {}-port file has no differential "
                                             "two-port here (use .s2p or .s4p)",
                                             data.ports));
  }
  if (std::abs(reference - differential_reference_ohm) > 1e-9) {
    // Renormalise to 100 Ω through ABCD where S21 is not negligible.
    for (auto& s : out) {
      if (std::abs(s.s21) > 1e-9)
        s = s_from_abcd(abcd_from_s(s, reference), differential_reference_ohm);
    }
  }
  return out;
}

namespace {

/// Magnitude and unwrapped phase of one S-parameter over the data points.
struct PolarTrace {
  std::vector<double> magnitude;
  std::vector<double> phase;
};

PolarTrace polar_trace(const std::vector<SParams2>& s, Cplx SParams2::*member) {
  PolarTrace t;
  t.magnitude.reserve(s.size());
  t.phase.reserve(s.size());
  double previous = 0.0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const Cplx v = s[k].*member;
    t.magnitude.push_back(std::abs(v));
    double phase = std::arg(v);
    if (k > 0) phase += 2.0 * pi * std::round((previous - phase) / (2.0 * pi));
    t.phase.push_back(phase);
    previous = phase;
  }
  return t;
}

}  // namespace

TwoPortNetwork sampled_network(std::vector<double> frequency_hz, const std::vector<SParams2>& s,
                               std::string description) {
  struct Data {
    std::vector<double> f;
    std::array<PolarTrace, 4> traces;
    std::array<double, 4> end_slope{};  ///< phase slope at the last point, rad/Hz
  };
  auto data = std::make_shared<Data>();
  data->f = std::move(frequency_hz);
  const std::array<Cplx SParams2::*, 4> members{&SParams2::s11, &SParams2::s12, &SParams2::s21,
                                                &SParams2::s22};
  const std::size_t n = data->f.size();
  for (std::size_t m = 0; m < 4; ++m) {
    data->traces[m] = polar_trace(s, members[m]);
    if (n >= 2) {
      const std::size_t back = std::max<std::size_t>(1, n / 100);
      const std::size_t k0 = n - 1 - std::min(back, n - 1);
      data->end_slope[m] = (data->traces[m].phase[n - 1] - data->traces[m].phase[k0]) /
                           (data->f[n - 1] - data->f[k0]);
    }
  }
  return {[data, members](double f) {
            SParams2 out;
            const auto& fs = data->f;
            const std::size_t n = fs.size();
            for (std::size_t m = 0; m < 4; ++m) {
              const PolarTrace& t = data->traces[m];
              double magnitude = 0.0, phase = 0.0;
              if (f <= fs.front()) {
                magnitude = t.magnitude.front();
                phase = fs.front() > 0.0 ? t.phase.front() * f / fs.front() : t.phase.front();
              } else if (f >= fs.back()) {
                const double f_max = fs.back();
                const double x = (f - f_max) / (0.2 * f_max);
                const double taper = x >= 1.0 ? 0.0 : 0.5 * (1.0 + std::cos(pi * x));
                magnitude = t.magnitude.back() * taper;
                phase = t.phase.back() + data->end_slope[m] * (f - f_max);
              } else {
                const auto it = std::upper_bound(fs.begin(), fs.end(), f);
                const auto k = static_cast<std::size_t>(it - fs.begin()) - 1;
                const double w = (f - fs[k]) / (fs[k + 1] - fs[k]);
                magnitude = (1.0 - w) * t.magnitude[k] + w * t.magnitude[k + 1];
                phase = (1.0 - w) * t.phase[k] + w * t.phase[k + 1];
              }
              out.*members[m] = std::polar(magnitude, phase);
            }
            (void)n;
            return out;
          },
          std::move(description)};
}

TouchstoneParams TouchstoneParams::read(ParamReader& reader) {
  TouchstoneParams p;
  const std::string file = reader.text(
      "file", "", "Touchstone 1.x file (.s2p or .s4p); a relative path is relative to the config.");
  const std::vector<double> order = reader.quantity_list(
      "port_order", Dimension::dimensionless, {1, 3, 2, 4},
      "Ports of a 4-port file as [in+, in−, out+, out−]; default [1, 3, 2, 4], the IEEE 802.3ck "
      "reference channels' order (ports 1,3 at one end, 2,4 at the other).");
  // The file is checked after every key is read, so the documenting reader lists them all.
  if (file.empty()) reader.fail("file", "touchstone needs `file: path/to/channel.s4p`");
  p.file = reader.resolve_path("file", file);
  if (order.size() != 4) reader.fail("port_order", "port_order needs four port numbers");
  for (std::size_t i = 0; i < 4; ++i) {
    if (order[i] != std::round(order[i]) || order[i] < 1 || order[i] > 4) {
      reader.fail("port_order", "port numbers are integers 1..4");
    }
    p.port_order[i] = static_cast<int>(order[i]);
  }
  return p;
}

TouchstoneBlock::TouchstoneBlock(const TouchstoneParams& params) : params_(params) {
  const TouchstoneData data = read_touchstone(params_.file);
  const std::vector<SParams2> s = differential_sparams(data, params_.port_order);
  f_max_hz_ = data.frequency_hz.back();
  frequency_unit_hz_ = data.frequency_unit_hz;
  const auto* f_bytes = reinterpret_cast<const char*>(data.frequency_hz.data());
  const auto* s_bytes = reinterpret_cast<const char*>(s.data());
  content_key_.assign(f_bytes, f_bytes + data.frequency_hz.size() * sizeof(double));
  content_key_.append(s_bytes, s_bytes + s.size() * sizeof(SParams2));
  network_ = sampled_network(data.frequency_hz, s, fmt::format("touchstone {}", params_.file));
}

void TouchstoneBlock::check_signal(const LaneContext& lane) const {
  const double nyquist_hz = 0.5 * lane.symbol_rate_bd;
  if (f_max_hz_ >= nyquist_hz) return;
  std::string hint;
  // Data that would cover the band in a larger frequency unit than the option line's: most
  // likely that line is wrong (a file written in GHz declaring Hz).
  for (const auto& [unit_hz, unit] : {std::pair{1e3, "kHz"}, {1e6, "MHz"}, {1e9, "GHz"}}) {
    if (unit_hz > frequency_unit_hz_ && f_max_hz_ * unit_hz / frequency_unit_hz_ >= nyquist_hz) {
      hint = fmt::format(
          " (the option line gives the frequencies in {}; in {} they would cover the band: "
          "check the file's `#` line)",
          frequency_unit_hz_ == 1.0   ? "Hz"
          : frequency_unit_hz_ == 1e3 ? "kHz"
                                      : "MHz",
          unit);
      break;
    }
  }
  throw ParameterError(
      "file", fmt::format("{}: the data end at {:.4g} GHz, below the signal's Nyquist frequency "
                          "{:.4g} GHz ({:.6g} GBd): the channel across the signal band is not in "
                          "the file; give S-parameters measured to at least {:.4g} GHz{}",
                          params_.file, f_max_hz_ / 1e9, nyquist_hz / 1e9,
                          lane.symbol_rate_bd / 1e9, nyquist_hz / 1e9, hint));
}

std::string TouchstoneBlock::describe() const {
  return fmt::format(
      "touchstone: {} (ports {},{} → {},{}; data to {:.4g} GHz), SDD21 IL {:.2f} "
      "dB @ 26.5625 GHz{}",
      params_.file, params_.port_order[0], params_.port_order[1], params_.port_order[2],
      params_.port_order[3], f_max_hz_ / 1e9, network_.insertion_loss_db(26.5625e9),
      cascade_note());
}

}  // namespace optilane
