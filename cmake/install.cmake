# `cmake --install`: headers (phy/ devices/ channels/ link/ and the generated version.hpp) under
# include/optilane, the static libraries, the CLI, the plot script, the examples (with the tier
# presets) and the validation cases under share/optilane (link/data_paths.hpp finds them), and
# the package files so that find_package(optilane) gives optilane::link.
include(CMakePackageConfigHelpers)

set(optilane_include_root ${CMAKE_INSTALL_INCLUDEDIR}/optilane)
set(optilane_libraries optilane_phy optilane_channels optilane_devices optilane_link)
foreach(target IN LISTS optilane_libraries)
  string(REPLACE "optilane_" "" short ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${short})
  target_include_directories(${target} PUBLIC $<INSTALL_INTERFACE:${optilane_include_root}>)
  target_compile_features(${target} PUBLIC cxx_std_20)  # the headers need C++20 (std::span)
endforeach()
# Linked PRIVATE by every library; static libraries carry it in their link interface, so it is
# exported too (an interface target with compile options only: it adds nothing to a user's link).
set_target_properties(optilane_warnings PROPERTIES EXPORT_NAME warnings)

install(TARGETS ${optilane_libraries} optilane_warnings EXPORT optilaneTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS optilane RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(tree phy devices channels link)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${tree} DESTINATION ${optilane_include_root}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/optilane/version.hpp
        DESTINATION ${optilane_include_root}/optilane)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/optilane_plot.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/optilane)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples ${PROJECT_SOURCE_DIR}/validation
        DESTINATION ${CMAKE_INSTALL_DATADIR}/optilane)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Optional dependencies the libraries were built with (link/CMakeLists.txt), for the config file.
get_target_property(optilane_link_libraries optilane_link LINK_LIBRARIES)
set(OPTILANE_CONFIG_WITH_MPI OFF)
if("MPI::MPI_C" IN_LIST optilane_link_libraries)
  set(OPTILANE_CONFIG_WITH_MPI ON)
endif()

set(optilane_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/optilane)
install(EXPORT optilaneTargets NAMESPACE optilane:: DESTINATION ${optilane_cmake_dir})
set(OPTILANE_INSTALL_DATA_DIR_RELATIVE ${CMAKE_INSTALL_DATADIR}/optilane)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/optilaneConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/optilaneConfig.cmake
                              INSTALL_DESTINATION ${optilane_cmake_dir}
                              PATH_VARS OPTILANE_INSTALL_DATA_DIR_RELATIVE)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/optilaneConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/optilaneConfig.cmake
              ${PROJECT_BINARY_DIR}/optilaneConfigVersion.cmake
        DESTINATION ${optilane_cmake_dir})
