#include "png_image.h"

#include <png.h>

#include <fmt/format.h>

#include <cstring>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace mose::app::gui {

RgbaImage::Rgb RgbaImage::at(int x, int y) const {
  const std::size_t i =
      (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4;
  return {pixels[i], pixels[i + 1], pixels[i + 2]};
}

void write_png(const std::filesystem::path& path, const RgbaImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    throw IoError(fmt::format("{}: cannot write a {}x{} image from {} bytes", path.string(), image.width, image.height,
                              image.pixels.size()));
  }
  replace_file_atomically(path, [&](const std::filesystem::path& temp) {
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(image.width);
    png.height = static_cast<png_uint_32>(image.height);
    png.format = PNG_FORMAT_RGBA;
    if (png_image_write_to_file(&png, temp.c_str(), 0, image.pixels.data(), 0, nullptr) == 0) {
      throw IoError(fmt::format("{}: cannot write PNG: {}", path.string(), png.message));
    }
  });
}

RgbaImage read_png(const std::filesystem::path& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&png, path.c_str()) == 0) {
    throw IoError(fmt::format("{}: cannot read PNG: {}", path.string(), png.message));
  }
  png.format = PNG_FORMAT_RGBA;
  RgbaImage image{.width = static_cast<int>(png.width), .height = static_cast<int>(png.height)};
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr) == 0) {
    throw IoError(fmt::format("{}: cannot decode PNG: {}", path.string(), png.message));
  }
  return image;
}

}  // namespace mose::app::gui
