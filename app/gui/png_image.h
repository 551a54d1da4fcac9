// RGBA8 images to and from PNG files, through libpng's simplified API. Screenshots
// (screenshot.h) are written with it; the window tests read them back with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace mose::app::gui {

struct RgbaImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> pixels{};  // row-major from the top row, 4 bytes per pixel

  struct Rgb {
    int r = 0, g = 0, b = 0;
  };
  Rgb at(int x, int y) const;  // (0, 0) is the top-left pixel
};

// Throws IoError naming the path when it cannot be written.
void write_png(const std::filesystem::path& path, const RgbaImage& image);
// Throws IoError naming the path when it is missing or not a PNG.
RgbaImage read_png(const std::filesystem::path& path);

}  // namespace mose::app::gui
