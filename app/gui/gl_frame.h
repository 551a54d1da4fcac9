// The few OpenGL calls mose-gui makes itself: clearing the frame, and reading the
// rendered frame back (before the buffer swap) as an RGBA image, whole or a part given
// in window pixels, top row first. Entry points are resolved through GLFW: libGL is
// opened at run time, not linked.
#pragma once

#include <optional>

#include "app/gui/png_image.h"
#include "app/gui/workspace.h"

struct GLFWwindow;

namespace mose::app::gui {

void clear_frame(GLFWwindow* window, float r, float g, float b);
RgbaImage read_frame(GLFWwindow* window, std::optional<PixelRect> rect);

}  // namespace mose::app::gui
