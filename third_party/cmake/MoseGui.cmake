# mose-gui's third-party parts: Dear ImGui 1.92, ImPlot 0.18 and GLFW 3.4 as static
# libraries with the GLFW / OpenGL 3 backends, from the PyPI wheel comma-deps-imgui that
# scripts/setup unpacks into $MOSE_CACHE/imgui (include/, lib/, VERSION). GLFW opens
# libX11 and libGL at run time (dlopen), and so does the OpenGL 3 backend's loader, so
# the link needs only libdl and threads; running needs an X server (Xvfb in CI) and
# Mesa. Screenshots are written with libpng (Debian libpng-dev).
#
# MOSE_WITH_GUI: AUTO (on when the unpacked wheel is found), ON (an error without it)
# or OFF. Decides MOSE_GUI_ENABLED and, when on, defines mose::imgui and PNG::PNG.
set(MOSE_GUI_ENABLED OFF)
set(_mose_cache "$ENV{MOSE_CACHE}")
if(NOT _mose_cache)
  set(_mose_cache "$ENV{HOME}/.cache/mose")
endif()
set(MOSE_IMGUI_DIR "${_mose_cache}/imgui" CACHE PATH "Unpacked comma-deps-imgui install folder (include/, lib/)")

if(MOSE_WITH_GUI STREQUAL "AUTO" OR MOSE_WITH_GUI)
  set(_imgui_found OFF)
  if(EXISTS "${MOSE_IMGUI_DIR}/include/implot.h" AND EXISTS "${MOSE_IMGUI_DIR}/lib/libimgui.a"
     AND EXISTS "${MOSE_IMGUI_DIR}/lib/libglfw3.a")
    set(_imgui_found ON)
  endif()
  find_package(PNG QUIET)
  if(_imgui_found AND PNG_FOUND)
    set(MOSE_GUI_ENABLED ON)
  elseif(MOSE_WITH_GUI STREQUAL "ON")
    message(FATAL_ERROR "MOSE_WITH_GUI=ON but Dear ImGui/ImPlot/GLFW were not found in ${MOSE_IMGUI_DIR} "
                        "(run scripts/setup, or set MOSE_IMGUI_DIR) or libpng is missing (PNG_FOUND=${PNG_FOUND})")
  endif()
endif()

if(MOSE_GUI_ENABLED)
  file(STRINGS "${MOSE_IMGUI_DIR}/VERSION" _imgui_version LIMIT_COUNT 1)
  message(STATUS "mose: GUI from ${MOSE_IMGUI_DIR} (comma-deps-imgui ${_imgui_version})")
  add_library(mose_glfw STATIC IMPORTED GLOBAL)
  set_target_properties(mose_glfw PROPERTIES IMPORTED_LOCATION "${MOSE_IMGUI_DIR}/lib/libglfw3.a")
  add_library(mose_imgui STATIC IMPORTED GLOBAL)
  set_target_properties(mose_imgui PROPERTIES IMPORTED_LOCATION "${MOSE_IMGUI_DIR}/lib/libimgui.a")
  # SYSTEM: their headers' warnings are not ours (-Werror builds).
  target_include_directories(mose_imgui SYSTEM INTERFACE "${MOSE_IMGUI_DIR}/include")
  target_link_libraries(mose_imgui INTERFACE mose_glfw ${CMAKE_DL_LIBS} Threads::Threads m)
  add_library(mose::imgui ALIAS mose_imgui)
endif()
