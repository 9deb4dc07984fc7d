#include "link/hdf5_writer.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "link/config_tree.hpp"
#include "link/report.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"

namespace optilane {
namespace {

void string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  const char* data = value.c_str();
  attribute.write(type, &data);
}

/// The JSON writes a number that is not finite as null (report.cpp, number_or_null; nlohmann
/// does the same for any ±∞ or NaN): the file writes NaN for each, so a reader tests one thing.
double finite_or_nan(double value) {
  return std::isfinite(value) ? value : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> finite_or_nan(std::vector<double> values) {
  for (double& v : values) v = finite_or_nan(v);
  return values;
}

/// A float64 attribute; NaN where the JSON has null, with the reason, when there is one, in the
/// string attribute `<name>_note`.
void number_attribute(H5::H5Object& object, const std::string& name, double value,
                      const std::string& note_when_null = {}) {
  const double written = finite_or_nan(value);
  H5::Attribute attribute =
      object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_DOUBLE, &written);
  if (std::isnan(written) && !note_when_null.empty()) {
    string_attribute(object, name + "_note", note_when_null);
  }
}

/// A float64 attribute of several values (an interval), NaN where the JSON has null.
void numbers_attribute(H5::H5Object& object, const std::string& name,
                       const std::vector<double>& values) {
  const std::vector<double> written = finite_or_nan(values);
  const hsize_t dims[1] = {written.size()};
  H5::Attribute attribute =
      object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, dims));
  attribute.write(H5::PredType::NATIVE_DOUBLE, written.data());
}

void integer_attribute(H5::H5Object& object, const std::string& name, std::uint64_t value) {
  H5::Attribute attribute =
      object.createAttribute(name, H5::PredType::NATIVE_UINT64, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_UINT64, &value);
}

H5::DataSet vector_dataset(H5::Group& group, const std::string& name,
                           const std::vector<double>& values, const std::string& unit) {
  const std::vector<double> written = finite_or_nan(values);
  const hsize_t dims[1] = {written.size()};
  H5::DataSet ds = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, dims));
  if (!written.empty()) ds.write(written.data(), H5::PredType::NATIVE_DOUBLE);
  string_attribute(ds, "unit", unit);
  return ds;
}

/// A 2-D [rows][columns] dataset from equally long rows.
H5::DataSet matrix_dataset(H5::Group& group, const std::string& name,
                           const std::vector<std::vector<double>>& rows, const std::string& unit) {
  const hsize_t dims[2] = {rows.size(), rows.empty() ? 0 : rows.front().size()};
  std::vector<double> flat;
  flat.reserve(dims[0] * dims[1]);
  for (const auto& row : rows) {
    for (double v : row) flat.push_back(finite_or_nan(v));
  }
  H5::DataSet ds = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(2, dims));
  if (!flat.empty()) ds.write(flat.data(), H5::PredType::NATIVE_DOUBLE);
  string_attribute(ds, "unit", unit);
  return ds;
}

void string_dataset(H5::Group& group, const std::string& name, const std::string& text) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::DataSet ds = group.createDataSet(name, type, H5::DataSpace(H5S_SCALAR));
  const char* data = text.c_str();
  ds.write(&data, type);
}

/// A dataset of N rows (× `columns` when > 0) of doubles, with its unit.
void table_dataset(H5::Group& group, const std::string& name, const std::vector<double>& values,
                   std::size_t columns, const std::string& unit, const std::string& description) {
  const hsize_t rows = columns > 0 ? values.size() / columns : values.size();
  const hsize_t dims[2] = {rows, static_cast<hsize_t>(columns)};
  H5::DataSet ds = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE,
                                       H5::DataSpace(columns > 0 ? 2 : 1, dims));
  const std::vector<double> written = finite_or_nan(values);
  if (!written.empty()) ds.write(written.data(), H5::PredType::NATIVE_DOUBLE);
  string_attribute(ds, "unit", unit);
  string_attribute(ds, "description", description);
}

/// Integers: counts and flags, unit "1".
template <typename Integer>
void integer_dataset(H5::Group& group, const std::string& name, const std::vector<Integer>& values,
                     const H5::PredType& type, const std::string& description) {
  const hsize_t dims[1] = {values.size()};
  H5::DataSet ds = group.createDataSet(name, type, H5::DataSpace(1, dims));
  if (!values.empty()) ds.write(values.data(), type);
  string_attribute(ds, "unit", "1");
  string_attribute(ds, "description", description);
}

/// Variable-length UTF-8 strings, N rows (× `columns` when > 0).
void strings_dataset(H5::Group& group, const std::string& name,
                     const std::vector<std::string>& values, std::size_t columns,
                     const std::string& description) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  const hsize_t rows = columns > 0 ? values.size() / columns : values.size();
  const hsize_t dims[2] = {rows, static_cast<hsize_t>(columns)};
  H5::DataSet ds = group.createDataSet(name, type, H5::DataSpace(columns > 0 ? 2 : 1, dims));
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (!pointers.empty()) ds.write(pointers.data(), type);
  string_attribute(ds, "unit", "");  // text: no unit (docs/hdf5.md)
  string_attribute(ds, "description", description);
}

/// `breakdown_w` [categories] in W, with the comma-separated category names as its attribute
/// `categories`.
void breakdown_dataset(H5::Group& group,
                       const std::vector<std::pair<std::string, double>>& by_category,
                       const std::string& description) {
  std::vector<double> watts;
  std::string names;
  for (const auto& [name, w] : by_category) {
    watts.push_back(w);
    names += (names.empty() ? "" : ",") + name;
  }
  H5::DataSet breakdown = vector_dataset(group, "breakdown_w", watts, "W");
  string_attribute(breakdown, "categories", names);
  string_attribute(breakdown, "description", description);
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace

void write_hdf5(const std::string& path, const LinkConfig& config, const LinkResult& result,
                const std::string& summary_json_text) {
  const std::string temporary = temporary_name(path);
  try {
    H5::Exception::dontPrint();
    H5::H5File file(temporary, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    string_attribute(root, "name", config.name);
    string_attribute(root, "optilane_version", version_string);
    string_attribute(root, "git_revision", git_revision);
    integer_attribute(root, "seed", config.signal.seed);
    string_attribute(root, "created_utc", utc_now());
    string_attribute(root, "config_yaml", to_yaml(config.resolved));
    string_attribute(root, "config_file", config.file);
    number_attribute(root, "symbol_rate_bd", config.signal.symbol_rate_bd);
    number_attribute(root, "samples_per_symbol", config.signal.samples_per_symbol);
    number_attribute(root, "target_ber", config.analysis.target_ber);
    string_dataset(root, "summary_json", summary_json_text);

    H5::Group segments = file.createGroup("/segments");
    for (std::size_t seg = 0; seg < result.segments.size(); ++seg) {
      H5::Group segment = file.createGroup(fmt::format("/segments/{}", seg));
      string_attribute(segment, "name",
                       result.segments.size() == 1 ? config.name : result.segments[seg].name);
      number_attribute(segment, "worst_ber", result.segments[seg].worst_ber);
      number_attribute(segment, "power_w", result.segments[seg].power_w);
      H5::Group segment_power = file.createGroup(fmt::format("/segments/{}/power", seg));
      breakdown_dataset(segment_power, result.segments[seg].power_breakdown_w,
                        "this segment's blocks by category, all lanes");
      H5::Group lanes = file.createGroup(fmt::format("/segments/{}/lanes", seg));
      (void)lanes;
      for (const auto& lane : result.segments[seg].lanes) {
        const std::string base = fmt::format("/segments/{}/lanes/{}", seg, lane.lane);
        H5::Group group = file.createGroup(base);
        const SlicerResult& slicer = lane.slicer;
        number_attribute(group, "wavelength_nm", carrier_wavelength_nm(lane));
        // Monte-Carlo figures only where Monte-Carlo ran (as the JSON's `ber`): a 0 here would
        // read as a measured error-free run.
        if (config.analysis.monte_carlo.enabled) {
          number_attribute(group, "ber_monte_carlo", slicer.ber_monte_carlo);
          numbers_attribute(group, "ber_monte_carlo_ci95",
                            {slicer.ber_ci95_low, slicer.ber_ci95_high});
          integer_attribute(group, "bit_errors", slicer.bit_errors);
          integer_attribute(group, "bits", slicer.bits);
          number_attribute(group, "ser_monte_carlo", slicer.ser_monte_carlo);
          integer_attribute(group, "symbol_errors", slicer.symbol_errors);
          integer_attribute(group, "symbols", slicer.symbols);
        }
        number_attribute(group, "ber_semi_analytic", slicer.ber_semi_analytic);
        number_attribute(group, "snr_db", slicer.snr_db);
        // The unit of the signal at the slicer: of the eye's amplitude, levels, thresholds and
        // heights, the statistical eye and the vertical bathtub.
        const std::string& unit = lane.slicer_unit;
        string_attribute(group, "slicer_unit", unit);

        H5::Group lane_power = file.createGroup(base + "/power");
        std::vector<std::string> block_labels;
        std::vector<double> block_watts;
        for (const auto& [block, watts] : block_power_w(lane)) {
          block_labels.push_back(block);
          block_watts.push_back(watts);
        }
        H5::DataSet blocks_w = vector_dataset(lane_power, "blocks_w", block_watts, "W");
        string_attribute(blocks_w, "description",
                         "each block's electrical power at its operating point, in chain order "
                         "(names in `blocks`)");
        strings_dataset(lane_power, "blocks", block_labels, 0,
                        "the block label of each entry of blocks_w");

        const EyeHistogram& eye = slicer.eye;
        H5::Group eye_group = file.createGroup(base + "/eye");
        const hsize_t dims[2] = {static_cast<hsize_t>(eye.time_bins),
                                 static_cast<hsize_t>(eye.amplitude_bins)};
        H5::DSetCreatPropList properties;
        const hsize_t chunk[2] = {dims[0], dims[1]};
        properties.setChunk(2, chunk);
        properties.setDeflate(4);
        H5::DataSet counts = eye_group.createDataSet("counts", H5::PredType::NATIVE_UINT64,
                                                     H5::DataSpace(2, dims), properties);
        counts.write(eye.counts.data(), H5::PredType::NATIVE_UINT64);
        string_attribute(counts, "unit", "trace points");
        string_attribute(counts, "axes", "[time_ui, amplitude]");
        string_attribute(counts, "description",
                         "the received waveform (with noise) as a trace, linear between samples at "
                         "columns_per_sample points per sample interval: points per time and "
                         "amplitude bin; 2 UI centred on the decision instant");
        number_attribute(counts, "columns_per_sample", eye.columns_per_sample);
        vector_dataset(eye_group, "time_ui", eye.time_ui, "UI");
        vector_dataset(eye_group, "amplitude", eye.amplitude, unit);
        vector_dataset(eye_group, "levels", slicer.level_means, unit);
        vector_dataset(eye_group, "thresholds", slicer.thresholds, unit);
        H5::DataSet height = vector_dataset(eye_group, "height", slicer.eye_height, unit);
        string_attribute(height, "description",
                         "worst-case-ISI height: the noiseless ISI extremes of the two levels less "
                         "Q(at_ber)·σ, 0 when closed (the statistical eye's height at the target "
                         "BER is statistical_eye/height)");
        vector_dataset(eye_group, "width_ui", slicer.eye_width_ui, "UI");
        number_attribute(eye_group, "at_ber", config.analysis.target_ber);

        if (lane.pulse) {
          H5::Group pulse = file.createGroup(base + "/pulse_response");
          std::vector<double> time_ui;
          for (std::size_t i = 0; i < lane.pulse->response.size(); ++i) {
            time_ui.push_back(
                static_cast<double>(lane.pulse->first_sample + static_cast<std::int64_t>(i)) /
                lane.pulse->samples_per_symbol);
          }
          vector_dataset(pulse, "time_ui", time_ui, "UI");
          H5::DataSet r = vector_dataset(pulse, "response", lane.pulse->response,
                                         unit + " per normalised level");
          string_attribute(r, "description",
                           "noiseless response at the slicer (before any DSP stage) to one symbol "
                           "of normalised level 1, by least squares over the calibration record; "
                           "time from the decision instant");
          number_attribute(pulse, "dc", lane.pulse->dc);
          number_attribute(pulse, "fit_residual_rms", lane.pulse->fit_residual_rms);
        }
        for (std::size_t run = 0; run < lane.copper.size(); ++run) {
          const CopperChannelReport& c = lane.copper[run];
          const std::string where = fmt::format("{}/channel/{}", base, run);
          if (run == 0) (void)file.createGroup(base + "/channel");
          H5::Group channel = file.createGroup(where);
          string_attribute(channel, "block", c.block);
          string_attribute(channel, "members", fmt::format("{}", fmt::join(c.members, ", ")));
          vector_dataset(channel, "frequency_hz", c.frequency_hz, "Hz");
          H5::DataSet s21 = vector_dataset(channel, "sdd21_db", c.sdd21_db, "dB");
          string_attribute(s21, "description",
                           "20 log10 |SDD21| of the copper run (its S-parameter cascade, matched "
                           "100 ohm ends, no reference packages)");
          H5::Group pulse = file.createGroup(where + "/pulse_response");
          vector_dataset(pulse, "time_ui", c.pulse_time_ui, "UI");
          H5::DataSet pr = vector_dataset(pulse, "response", c.pulse_v, "V");
          string_attribute(pr, "description",
                           "response of the copper run alone to a 1-UI rectangle of 1 V, time "
                           "from its peak");
          if (c.com) {
            const ComResult& com = *c.com;
            H5::Group g = file.createGroup(where + "/com");
            number_attribute(g, "com_db", com.com_db);
            integer_attribute(g, "pass", com.pass ? 1 : 0);
            string_attribute(g, "parameter_set", com.parameter_set);
            number_attribute(g, "a_s_v", com.a_s_v);
            number_attribute(g, "a_ni_v", com.a_ni_v);
            number_attribute(g, "fom_db", com.fom_db);
            string_attribute(g, "method", com.method);
            vector_dataset(g, "time_ui", com.pulse_time_ui, "UI");
            H5::DataSet ep = vector_dataset(g, "pulse_response", com.pulse_v, "V");
            string_attribute(ep, "description",
                             "COM reference pulse response (Tx FFE, packages, channel, H_t, H_r, "
                             "CTLE; before any Rx FFE), time from the sampling instant");
            vector_dataset(g, "cursors", com.cursors_v, "V");
            integer_attribute(g, "main_cursor_index", static_cast<std::uint64_t>(com.pre_cursors));
          }
        }
        if (lane.statistical) {
          const StatisticalEye& st = *lane.statistical;
          H5::Group bathtub = file.createGroup(base + "/bathtub");
          H5::Group horizontal = file.createGroup(base + "/bathtub/horizontal");
          vector_dataset(horizontal, "time_ui", st.time_ui, "UI");
          H5::DataSet h = matrix_dataset(horizontal, "ber", st.horizontal_ber, "1");
          string_attribute(h, "axes", "[eye, time_ui]");
          string_attribute(h, "description",
                           "statistical eye: error probability of each eye with its threshold at "
                           "the slicer's, against the sampling time from the decision instant");
          H5::Group vertical = file.createGroup(base + "/bathtub/vertical");
          vector_dataset(vertical, "amplitude", st.amplitude, unit);
          H5::DataSet v = matrix_dataset(vertical, "ber", st.vertical_ber, "1");
          string_attribute(v, "axes", "[eye, amplitude]");
          string_attribute(v, "description",
                           "statistical eye: error probability of each eye against its threshold, "
                           "at the decision instant");
          number_attribute(bathtub, "at_ber", config.analysis.target_ber);
          H5::Group stat = file.createGroup(base + "/statistical_eye");
          vector_dataset(stat, "time_ui", st.time_ui, "UI");
          vector_dataset(stat, "amplitude", st.amplitude, unit);
          std::vector<std::vector<double>> rows;
          // The map is empty when it was not computed (StatisticalEyeSettings::contours).
          for (std::size_t t = 0;
               t < st.time_ui.size() && st.contour_ber.size() >= (t + 1) * st.amplitude.size();
               ++t) {
            rows.emplace_back(
                st.contour_ber.begin() + static_cast<std::ptrdiff_t>(t * st.amplitude.size()),
                st.contour_ber.begin() +
                    static_cast<std::ptrdiff_t>((t + 1) * st.amplitude.size()));
          }
          H5::DataSet c = matrix_dataset(stat, "ber", rows, "1");
          string_attribute(c, "axes", "[time_ui, amplitude]");
          string_attribute(c, "description",
                           "BER contour map: error probability of the eye whose threshold is "
                           "nearest, with the threshold at this amplitude and sampling time; off "
                           "the centre phase within relative_tolerance of the full sum");
          number_attribute(c, "relative_tolerance", st.contour_tolerance);
          H5::DataSet stat_height = vector_dataset(stat, "height", st.eye_height, unit);
          string_attribute(stat_height, "description",
                           "statistical height: where the eye's error probability is at_ber");
          vector_dataset(stat, "width_ui", st.eye_width_ui, "UI");
          vector_dataset(stat, "levels", st.level_means, unit);
          number_attribute(stat, "ber", st.ber);
          number_attribute(stat, "at_ber", config.analysis.target_ber);
        }
        if (lane.optical_rx && !lane.optical_rx->waterfall_ber.empty()) {
          H5::Group waterfall = file.createGroup(base + "/waterfall");
          vector_dataset(waterfall, "rx_oma_dbm", lane.optical_rx->waterfall_oma_dbm, "dBm");
          vector_dataset(waterfall, "ber_semi_analytic", lane.optical_rx->waterfall_ber, "1");
          number_attribute(waterfall, "sensitivity_oma_dbm", lane.optical_rx->sensitivity_oma_dbm,
                           lane.optical_rx->sensitivity_note);
          string_attribute(waterfall, "method", lane.optical_rx->sensitivity_note);
        }
        if (lane.tx) {
          const TxResult& t = *lane.tx;
          H5::Group tx = file.createGroup(base + "/tx");
          string_attribute(tx, "block", t.block);
          string_attribute(tx, "method", t.method);
          number_attribute(tx, "sample_rate_hz", t.sample_rate_hz);
          integer_attribute(tx, "first_symbol", static_cast<std::uint64_t>(t.first_symbol));
          number_attribute(tx, "average_power_w", t.average_power_w);
          number_attribute(tx, "oma_outer_w", t.oma_outer_w);
          number_attribute(tx, "extinction_ratio_db", t.extinction_ratio_db);
          number_attribute(tx, "rlm", t.rlm);
          number_attribute(tx, "tdecq_db", t.tdecq_db, tdecq_note(t));
          number_attribute(tx, "tdecq_ser_without_added_noise", t.tdecq_ser_without_added_noise);
          H5::DataSet p = vector_dataset(tx, "optical_power", t.power_w, "W");
          string_attribute(p, "description",
                           "noiseless optical power at the transmitter output, the first "
                           "analysis.probe_uis UIs of the analysed window (from first_symbol)");
          H5::DataSet phase = vector_dataset(tx, "phase", t.phase_rad, "rad");
          string_attribute(phase, "description",
                           "unwrapped phase of the noiseless field at the transmitter output "
                           "(chirp: its derivative / 2π is the instantaneous frequency offset)");
        }
        H5::Group waveforms = file.createGroup(base + "/waveforms");
        for (const auto& probe : lane.probes) {
          H5::DataSet ds = vector_dataset(waveforms, probe.label, probe.samples, probe.unit);
          string_attribute(ds, "quantity", probe.quantity);
          number_attribute(ds, "sample_rate_hz", probe.sample_rate_hz);
        }
      }
    }
    H5::Group link_group = file.createGroup("/link");
    vector_dataset(link_group, "lane_ber", result.lane_ber, "1");
    vector_dataset(link_group, "lane_post_fec_ber", result.lane_post_fec_ber, "1");
    number_attribute(link_group, "worst_ber", result.worst_ber);
    H5::Group power = file.createGroup("/power");
    breakdown_dataset(power, result.power_breakdown_w, "all segments and lanes, by category");
    number_attribute(power, "total_w", result.power_total_w);
    number_attribute(power, "pj_per_bit", result.pj_per_bit);
    (void)segments;
    file.close();
  } catch (const H5::Exception& e) {
    remove_temporary_files();
    throw InputError("cannot write HDF5 file '" + path + "': " + e.getDetailMsg());
  }
  commit_temporary(temporary, path);
}

void write_sweep_hdf5(const std::string& path, const Sweep& sweep,
                      const std::vector<SweepRow>& rows, const std::string& sweep_json_text) {
  std::vector<const SweepRow*> sorted;
  for (const auto& row : rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const SweepRow* a, const SweepRow* b) { return a->index < b->index; });
  const std::size_t axes = sweep.spec().axes.size();
  std::size_t eyes = 0;
  for (const SweepRow* row : sorted) eyes = std::max(eyes, row->eye_height.size());

  std::vector<std::uint64_t> index, bit_errors, bits;
  std::vector<std::uint8_t> ok, closes;
  std::vector<std::string> keys, values, errors, eye_units;
  std::set<std::string> ran_units;  ///< the units at the slicer of the points that ran
  std::vector<double> values_si, ber, ber_mc, ci95, ber_semi, post_fec, snr, eye_height, eye_width,
      power_total, power_lane, pj, insertion_loss, com;
  for (const auto& axis : sweep.spec().axes) keys.push_back(axis.key);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const SweepRow* row : sorted) {
    index.push_back(row->index);
    for (std::size_t a = 0; a < axes; ++a) {
      values.push_back(a < row->values.size() ? row->values[a] : "");
      values_si.push_back(a < row->values_si.size() ? row->values_si[a] : nan);
    }
    ok.push_back(row->error.empty() ? 1 : 0);
    errors.push_back(row->error);
    ber.push_back(row->ber);
    ber_mc.push_back(row->ber_monte_carlo);
    ci95.push_back(row->ber_monte_carlo_ci95_low);
    ci95.push_back(row->ber_monte_carlo_ci95_high);
    bit_errors.push_back(row->bit_errors);
    bits.push_back(row->bits);
    ber_semi.push_back(row->ber_semi_analytic);
    post_fec.push_back(row->post_fec_ber);
    closes.push_back(row->closes ? 1 : 0);
    snr.push_back(row->snr_db);
    eye_units.push_back(row->eye_height_unit);
    if (!row->eye_height_unit.empty()) ran_units.insert(row->eye_height_unit);
    for (std::size_t e = 0; e < eyes; ++e) {
      eye_height.push_back(e < row->eye_height.size() ? row->eye_height[e] : nan);
      eye_width.push_back(e < row->eye_width_ui.size() ? row->eye_width_ui[e] : nan);
    }
    power_total.push_back(row->power_total_w);
    power_lane.push_back(row->power_per_lane_w);
    pj.push_back(row->pj_per_bit);
    insertion_loss.push_back(row->insertion_loss_db_at_nyquist);
    com.push_back(row->com_db);
  }

  const std::string temporary = temporary_name(path);
  try {
    H5::Exception::dontPrint();
    H5::H5File file(temporary, H5F_ACC_TRUNC);
    H5::Group root = file.openGroup("/");
    string_attribute(root, "kind", "sweep");
    string_attribute(root, "name", sweep.name());
    string_attribute(root, "optilane_version", version_string);
    string_attribute(root, "git_revision", git_revision);
    integer_attribute(root, "seed", sweep.seed());
    string_attribute(root, "created_utc", utc_now());
    string_attribute(root, "config_yaml", to_yaml(sweep.base()));
    string_attribute(root, "config_file", sweep.spec().config_path);
    string_attribute(root, "mode", sweep.spec().zip ? "zip" : "product");
    number_attribute(root, "target_ber", sweep.target_ber());
    string_dataset(root, "summary_json", sweep_json_text);

    H5::Group table = file.createGroup("/sweep");
    integer_attribute(table, "points", sweep.size());
    strings_dataset(table, "keys", keys, 0, "the varied keys (dotted paths, as for --set)");
    strings_dataset(table, "values", values, axes,
                    "[point, key]: each point's value of each varied key, as applied");
    table_dataset(table, "values_si", values_si, axes, "SI (dB for ratios)",
                  "[point, key]: the values in SI units; NaN when not a quantity");
    integer_dataset(table, "index", index, H5::PredType::NATIVE_UINT64, "point index");
    integer_dataset(table, "ok", ok, H5::PredType::NATIVE_UINT8, "1 when the point ran");
    strings_dataset(table, "error", errors, 0, "why the point failed; empty when it ran");
    table_dataset(table, "ber", ber, 0, "1", "the link's BER as `optilane run` reports it");
    table_dataset(table, "ber_monte_carlo", ber_mc, 0, "1",
                  "worst lane's Monte-Carlo BER (NaN when Monte-Carlo is off)");
    table_dataset(table, "ber_monte_carlo_ci95", ci95, 2, "1",
                  "[point, (low, high)]: 95 % Clopper-Pearson interval of that lane");
    integer_dataset(table, "bit_errors", bit_errors, H5::PredType::NATIVE_UINT64,
                    "bit errors counted on the worst Monte-Carlo lane");
    integer_dataset(table, "bits", bits, H5::PredType::NATIVE_UINT64,
                    "bits counted on the worst Monte-Carlo lane");
    table_dataset(table, "ber_semi_analytic", ber_semi, 0, "1", "worst lane's semi-analytic BER");
    table_dataset(table, "post_fec_ber", post_fec, 0, "1", "worst lane's post-FEC BER");
    integer_dataset(table, "closes", closes, H5::PredType::NATIVE_UINT8,
                    "1 when the link's BER meets the target");
    table_dataset(table, "snr_db", snr, 0, "dB", "lowest SNR at the slicer over lanes");
    // One unit for the table when the points share it (one chain: the usual sweep); a sweep
    // whose points put a TIA in or out reads each point's from eye_height_unit.
    table_dataset(
        table, "eye_height", eye_height, std::max<std::size_t>(eyes, 1),
        ran_units.size() == 1 ? *ran_units.begin() : "V or A (per point: eye_height_unit)",
        "[point, eye]: lowest worst-case-ISI height over lanes at the target BER");
    strings_dataset(table, "eye_height_unit", eye_units, 0,
                    "each point's unit of eye_height, the signal at the slicer (V, or A straight "
                    "from a photodetector); empty when the point failed");
    table_dataset(table, "eye_width_ui", eye_width, std::max<std::size_t>(eyes, 1), "UI",
                  "[point, eye]: lowest width over lanes at the target BER");
    table_dataset(table, "power_total_w", power_total, 0, "W", "electrical power, all lanes");
    table_dataset(table, "power_per_lane_w", power_lane, 0, "W", "electrical power per lane");
    table_dataset(table, "pj_per_bit", pj, 0, "pJ/bit", "electrical energy per bit");
    table_dataset(table, "insertion_loss_db_at_nyquist", insertion_loss, 0, "dB",
                  "copper: highest insertion loss at Nyquist over lanes; NaN without copper");
    table_dataset(table, "com_db", com, 0, "dB",
                  "copper: lowest COM over lanes and copper runs; NaN without copper or COM");
    file.close();
  } catch (const H5::Exception& e) {
    remove_temporary_files();
    throw InputError("cannot write HDF5 file '" + path + "': " + e.getDetailMsg());
  }
  commit_temporary(temporary, path);
}

}  // namespace optilane
