# Decides whether our CUDA kernels are built. AUTO: when nvcc is found.
# Debian's CMake 3.25 cannot give nvcc 13 a C++20 dialect, so .cu files are C++17;
# they include only kernels/ headers that are C++17-clean.
include(CheckLanguage)
set(MOSE_CUDA_ENABLED OFF)
if(MOSE_WITH_CUDA STREQUAL "AUTO" OR MOSE_WITH_CUDA)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Hopper (sm_90) machine code plus PTX so newer GPUs can JIT it.
      set(CMAKE_CUDA_ARCHITECTURES 90-real 90-virtual)
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(MOSE_CUDA_ENABLED ON)
  elseif(MOSE_WITH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "MOSE_WITH_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
