#!/usr/bin/env bash
# Makes the clips the video benchmark reads (bench/video_bench.cc): real
# footage from Debian packages (opencv-doc's vtest.avi, Megamind.avi and
# tree.avi; visp-images-data's image sequences) and ffmpeg's lavfi test
# sources, never downloaded or committed. scripts/bench.sh video installs the
# packages (ffmpeg opencv-doc visp-images-data) and runs this.
#
#   bench/video/make_clips.sh OUT_DIR
#
# OUT_DIR/originals/NAME.mp4        mutually unrelated clips, 20-30 s, H.264
# OUT_DIR/variants/NAME/KIND.EXT    copies of each original (KIND below)
# OUT_DIR/speed/RES-gGOP.mp4        street scene at 720p and 1080p, 30 fps,
#                                   keyframe every GOP frames (250 = x264's
#                                   default; 60 and 30 = 2 s and 1 s)
#
# Clips already made are kept (delete OUT_DIR, or one file, to remake).
# H.264 is libx264, preset medium, CRF 23 unless a variant says otherwise.
set -euo pipefail
helpers=$(dirname "$(realpath "$0")")/../../tests/fixtures/video/ffmpeg.sh
out=${1:?usage: make_clips.sh OUT_DIR}
opencv=/usr/share/doc/opencv-doc/examples/data
visp=/usr/share/visp-images-data/ViSP-images
for input in "$opencv/vtest.avi" "$opencv/Megamind.avi" "$opencv/tree.avi" \
  "$visp/mire-2/image.0001.pgm" "$visp/mbt/cube/image0000.pgm" "$visp/cube/image.0000.pgm"; do
  [ -e "$input" ] || {
    echo "make_clips: $input missing (apt-get install opencv-doc visp-images-data)" >&2
    exit 1
  }
done
mkdir -p "$out/originals" "$out/variants" "$out/speed"
cd "$out"

MAKE_CLIPS_VERBOSE=1
source "$helpers"
x264=(-c:v libx264 -preset medium -crf 23 -pix_fmt yuv420p -an)
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
frame_rate() {
  ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$1"
}
width() { ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$1"; }

# --- Speed clips: vtest.avi (768x576, 10 fps) cropped to 16:9, its first
# 60 s, blended up to 30 fps (every frame differs, as in real 30 fps video)
# and scaled up with Lanczos.
street="crop=768:432,framerate=fps=30"
for res in 720:1280 1080:1920; do
  height=${res%%:*} w=${res##*:}
  for gop in 250 60 30; do
    gop_args=()
    [ "$gop" = 250 ] || gop_args=(-g "$gop")
    make "speed/${height}p-g$gop.mp4" -t 60 -i "$opencv/vtest.avi" \
      -vf "$street,scale=$w:$height:flags=lanczos" "${x264[@]}" "${gop_args[@]}"
  done
done

# --- Originals.
# The 720p street scene's first 30 s (copied, not re-encoded).
make originals/street.mp4 -i speed/720p-g250.mp4 -t 30 -c copy
# Megamind.avi is 11 s: played at half speed (24 fps) to last 22 s.
make originals/megamind.mp4 -i "$opencv/Megamind.avi" \
  -vf "setpts=2*PTS,fps=24" "${x264[@]}"
make originals/tree.mp4 -i "$opencv/tree.avi" -vf fps=15 "${x264[@]}"
# ViSP sequences at their own size: 501 frames at 25 fps, 218 at 10 fps,
# 80 at 4 fps (20-22 s each).
make originals/mire.mp4 -framerate 25 -start_number 1 -i "$visp/mire-2/image.%04d.pgm" "${x264[@]}"
make originals/mbt.mp4 -framerate 10 -start_number 0 -i "$visp/mbt/cube/image%04d.pgm" "${x264[@]}"
make originals/cube.mp4 -framerate 4 -start_number 0 -i "$visp/cube/image.%04d.pgm" "${x264[@]}"
# Synthetic: a Mandelbrot zoom, the colour test pattern, and the Game of
# Life (80x60 cells drawn 8x8).
make originals/mandelbrot.mp4 -f lavfi -i "mandelbrot=size=640x480:rate=30" -t 30 "${x264[@]}"
make originals/testsrc2.mp4 -f lavfi -i "testsrc2=size=640x480:rate=30" -t 30 "${x264[@]}"
make originals/life.mp4 -f lavfi \
  -i "life=size=80x60:rate=30:seed=7:ratio=0.2:mold=10:life_color=#f0c020:death_color=#202060" \
  -t 30 -vf "scale=640:480:flags=neighbor" "${x264[@]}"

# --- Variants of every original.
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
font_arg="font=Sans"
[ -e "$font" ] && font_arg="fontfile=$font"
watermark="drawbox=x=iw*0.62:y=ih*0.04:w=iw*0.34:h=ih*0.16:color=white@0.5:t=fill,\
drawtext=$font_arg:text='@uploader_2931 reposted':fontcolor=white:fontsize=h/16:\
borderw=2:bordercolor=black:x=w*0.04:y=h-th-h*0.05"
for original in originals/*.mp4; do
  name=$(basename "$original" .mp4)
  dir="variants/$name"
  mkdir -p "$dir"
  length=$(duration "$original")
  rate=$(frame_rate "$original")
  make "$dir/reencode-crf32.mp4" -i "$original" -c:v libx264 -preset veryfast -crf 32 \
    -pix_fmt yuv420p -an
  make "$dir/vp9.webm" -i "$original" -c:v libvpx-vp9 -crf 33 -b:v 0 -deadline good \
    -cpu-used 4 -row-mt 1 -an
  # 640 px wide (480p for 4:3), or half size for originals no wider.
  if [ "$(width "$original")" -gt 640 ]; then down="scale=640:-2"; else down="scale=iw/2:-2"; fi
  make "$dir/downscale.mp4" -i "$original" -vf "$down:flags=bicubic" "${x264[@]}"
  make "$dir/upscale-2x.mp4" -i "$original" -vf "scale=iw*2:ih*2:flags=bicubic" "${x264[@]}"
  make "$dir/trim-middle.mp4" -ss "$(awk -v d="$length" 'BEGIN { print d / 4 }')" \
    -i "$original" -t "$(awk -v d="$length" 'BEGIN { print d / 2 }')" "${x264[@]}"
  # The same, started on the whole second before: vPDQ samples one frame a
  # second from each file's start, so a cut between two sampled frames
  # shifts every sample of the copy off the original's (above), one on a
  # whole second does not.
  make "$dir/trim-middle-whole-s.mp4" -ss "$(awk -v d="$length" 'BEGIN { print int(d / 4) }')" \
    -i "$original" -t "$(awk -v d="$length" 'BEGIN { print d / 2 }')" "${x264[@]}"
  make "$dir/trim-first-10s.mp4" -i "$original" -t 10 "${x264[@]}"
  make "$dir/watermark.mp4" -i "$original" -vf "$watermark" "${x264[@]}"
  make "$dir/crop-10.mp4" -i "$original" -vf "crop=trunc(iw*0.4)*2:trunc(ih*0.4)*2" "${x264[@]}"
  make "$dir/mirror.mp4" -i "$original" -vf hflip "${x264[@]}"
  # 4/5 of the frame rate: 30 -> 24 fps (25 -> 20, 15 -> 12, ...).
  make "$dir/fps-4-5.mp4" -i "$original" \
    -vf "fps=$(awk -v r="$rate" 'BEGIN { split(r, f, "/"); print f[1] * 4 / 5 "/" f[2] }')" \
    "${x264[@]}"
done
echo "make_clips: $(find . -name '*.mp4' -o -name '*.webm' | grep -vc partial) clips in $out"
