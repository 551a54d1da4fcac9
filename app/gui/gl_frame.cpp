#include "gl_frame.h"

#define GLFW_INCLUDE_NONE  // no GL/gl.h: the few GL calls are resolved below
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/errors.h"

namespace mose::app::gui {
namespace {

constexpr unsigned kGlColorBufferBit = 0x00004000, kGlBack = 0x0405, kGlPackAlignment = 0x0D05, kGlRgba = 0x1908,
                   kGlUnsignedByte = 0x1401;
using ViewportFn = void (*)(int, int, int, int);
using ClearColorFn = void (*)(float, float, float, float);
using ClearFn = void (*)(unsigned);
using ReadBufferFn = void (*)(unsigned);
using PixelStoreiFn = void (*)(unsigned, int);
using ReadPixelsFn = void (*)(int, int, int, int, unsigned, unsigned, void*);

template <typename Fn>
Fn gl_function(const char* name) {
  auto fn = reinterpret_cast<Fn>(glfwGetProcAddress(name));
  if (fn == nullptr) throw Error(std::string("OpenGL has no ") + name);
  return fn;
}

}  // namespace

void clear_frame(GLFWwindow* window, float r, float g, float b) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window, &w, &h);
  gl_function<ViewportFn>("glViewport")(0, 0, w, h);
  gl_function<ClearColorFn>("glClearColor")(r, g, b, 1.0f);
  gl_function<ClearFn>("glClear")(kGlColorBufferBit);
}

RgbaImage read_frame(GLFWwindow* window, std::optional<PixelRect> rect) {
  int fb_w = 0, fb_h = 0, win_w = 0, win_h = 0;
  glfwGetFramebufferSize(window, &fb_w, &fb_h);
  glfwGetWindowSize(window, &win_w, &win_h);
  const float scale = win_w > 0 ? static_cast<float>(fb_w) / static_cast<float>(win_w) : 1.0f;
  int x = 0, y = 0, w = fb_w, h = fb_h;  // in framebuffer pixels, from the top-left
  if (rect) {
    x = std::clamp(static_cast<int>(std::lround(rect->x * scale)), 0, fb_w);
    y = std::clamp(static_cast<int>(std::lround(rect->y * scale)), 0, fb_h);
    w = std::clamp(static_cast<int>(std::lround(rect->w * scale)), 1, fb_w - x);
    h = std::clamp(static_cast<int>(std::lround(rect->h * scale)), 1, fb_h - y);
  }
  RgbaImage image{.width = w, .height = h, .pixels = std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4)};
  gl_function<ReadBufferFn>("glReadBuffer")(kGlBack);
  gl_function<PixelStoreiFn>("glPixelStorei")(kGlPackAlignment, 1);
  // OpenGL rows run bottom-up.
  gl_function<ReadPixelsFn>("glReadPixels")(x, fb_h - y - h, w, h, kGlRgba, kGlUnsignedByte, image.pixels.data());
  const std::size_t row = static_cast<std::size_t>(w) * 4;
  std::vector<std::uint8_t> flipped(image.pixels.size());
  for (int r = 0; r < h; ++r) {
    std::memcpy(&flipped[static_cast<std::size_t>(r) * row], &image.pixels[static_cast<std::size_t>(h - 1 - r) * row],
                row);
  }
  image.pixels = std::move(flipped);
  for (std::size_t i = 3; i < image.pixels.size(); i += 4) image.pixels[i] = 255;  // opaque, as shown
  return image;
}

}  // namespace mose::app::gui
