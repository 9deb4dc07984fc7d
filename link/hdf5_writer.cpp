#include "link/hdf5_writer.hpp"

#include <H5Cpp.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

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

void number_attribute(H5::H5Object& object, const std::string& name, double value) {
  H5::Attribute attribute =
      object.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_DOUBLE, &value);
}

void integer_attribute(H5::H5Object& object, const std::string& name, std::uint64_t value) {
  H5::Attribute attribute =
      object.createAttribute(name, H5::PredType::NATIVE_UINT64, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_UINT64, &value);
}

H5::DataSet vector_dataset(H5::Group& group, const std::string& name,
                           const std::vector<double>& values, const std::string& unit) {
  const hsize_t dims[1] = {values.size()};
  H5::DataSet ds = group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, dims));
  if (!values.empty()) ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
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
    H5::Group segment = file.createGroup("/segments/0");
    string_attribute(segment, "name", config.name);
    H5::Group lanes = file.createGroup("/segments/0/lanes");
    for (const auto& lane : result.lanes) {
      const std::string base = fmt::format("/segments/0/lanes/{}", lane.lane);
      H5::Group group = file.createGroup(base);
      number_attribute(group, "wavelength_nm", lane.wavelength_m * 1e9);
      number_attribute(group, "ber_monte_carlo", lane.slicer.ber_monte_carlo);
      number_attribute(group, "ber_semi_analytic", lane.slicer.ber_semi_analytic);
      number_attribute(group, "snr_db", lane.slicer.snr_db);

      const EyeHistogram& eye = lane.slicer.eye;
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
      string_attribute(counts, "axes", "[time_ui, amplitude]");
      string_attribute(counts, "description",
                       "counts of received samples (with noise) per time and amplitude bin; 2 UI "
                       "centred on the decision instant");
      vector_dataset(eye_group, "time_ui", eye.time_ui, "UI");
      vector_dataset(eye_group, "amplitude", eye.amplitude, "V or A (signal at the slicer)");
      vector_dataset(eye_group, "levels", lane.slicer.level_means, "signal unit");
      vector_dataset(eye_group, "thresholds", lane.slicer.thresholds, "signal unit");
      vector_dataset(eye_group, "height", lane.slicer.eye_height, "signal unit");
      vector_dataset(eye_group, "width_ui", lane.slicer.eye_width_ui, "UI");
      number_attribute(eye_group, "at_ber", config.analysis.target_ber);

      if (lane.optical_rx && !lane.optical_rx->waterfall_ber.empty()) {
        H5::Group waterfall = file.createGroup(base + "/waterfall");
        vector_dataset(waterfall, "rx_oma_dbm", lane.optical_rx->waterfall_oma_dbm, "dBm");
        vector_dataset(waterfall, "ber_semi_analytic", lane.optical_rx->waterfall_ber, "1");
        number_attribute(waterfall, "sensitivity_oma_dbm", lane.optical_rx->sensitivity_oma_dbm);
        string_attribute(waterfall, "method", lane.optical_rx->sensitivity_note);
      }
      H5::Group waveforms = file.createGroup(base + "/waveforms");
      for (const auto& probe : lane.probes) {
        H5::DataSet ds = vector_dataset(waveforms, probe.label, probe.samples, probe.unit);
        string_attribute(ds, "quantity", probe.quantity);
        number_attribute(ds, "sample_rate_hz", probe.sample_rate_hz);
      }
    }
    H5::Group power = file.createGroup("/power");
    std::vector<double> watts;
    std::string names;
    for (const auto& [name, w] : result.power_breakdown_w) {
      watts.push_back(w);
      names += (names.empty() ? "" : ",") + name;
    }
    H5::DataSet breakdown = vector_dataset(power, "breakdown_w", watts, "W");
    string_attribute(breakdown, "categories", names);
    number_attribute(power, "total_w", result.power_total_w);
    number_attribute(power, "pj_per_bit", result.pj_per_bit);
    (void)segments;
    (void)lanes;
    file.close();
  } catch (const H5::Exception& e) {
    remove_temporary_files();
    throw InputError("cannot write HDF5 file '" + path + "': " + e.getDetailMsg());
  }
  commit_temporary(temporary, path);
}

}  // namespace optilane
