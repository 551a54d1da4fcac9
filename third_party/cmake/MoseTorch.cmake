# LibTorch comes from the PyPI torch wheel that scripts/setup installs; its
# share/cmake holds TorchConfig.cmake. scripts/build passes CMAKE_PREFIX_PATH.
# The wheel is built with CUDA, so its config looks for the CUDA toolkit; without
# TORCH_CUDA_ARCH_LIST it runs a GPU-detection try_run that fails on GPU-less machines.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST} AND NOT DEFINED TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "mose: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

# LibTorch's include folder carries its own fmt headers (v12), which shadow Debian's
# fmt 9 in any file that sees torch's include path. Such files use that fmt
# header-only, so they never need a libfmt of another version at link time. The
# definition travels with the include path through this target.
#
# The wheel's libtorch.so also exports 64 std::filesystem symbols (statically linked
# parts of a newer libstdc++); when it precedes libstdc++ in a program's NEEDED list its
# copies win, and its std::filesystem::remove_all jumps to address 0. Linking libstdc++
# first makes the system's definitions the ones every program uses.
add_library(mose_torch INTERFACE)
target_link_libraries(mose_torch INTERFACE
  "-Wl,--push-state,--no-as-needed" stdc++ "-Wl,--pop-state" "${TORCH_LIBRARIES}")
target_compile_definitions(mose_torch INTERFACE FMT_HEADER_ONLY=1)
