#include "plot_style.h"

#include <iterator>

namespace mose::app::gui {
namespace {

constexpr unsigned kPalette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
constexpr ImPlotMarker kMarkers[] = {ImPlotMarker_Circle, ImPlotMarker_Square, ImPlotMarker_Diamond, ImPlotMarker_Up,
                                     ImPlotMarker_Down,   ImPlotMarker_Left,   ImPlotMarker_Right};

}  // namespace

SeriesStyle series_style(int style) {
  const unsigned rgb = kPalette[static_cast<unsigned>(style) % std::size(kPalette)];
  return {
      .colour = ImVec4(static_cast<float>((rgb >> 16) & 0xff) / 255.0f, static_cast<float>((rgb >> 8) & 0xff) / 255.0f,
                       static_cast<float>(rgb & 0xff) / 255.0f, 1.0f),
      .marker = kMarkers[static_cast<unsigned>(style) % std::size(kMarkers)]};
}

}  // namespace mose::app::gui
