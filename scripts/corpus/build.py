#!/usr/bin/env python3
"""Builds the photo corpus of the robustness evaluation from installed Debian
packages (scripts/corpus.sh installs them; docs/CORPUS.md explains the rules).

  build.py DIR

Every rule below names the pictures it keeps; a picture is kept only if it is
a JPEG, PNG or WebP file whose short side is at least MIN_SIDE pixels. Files
with the same bytes are kept once, and the pairs in SAME_PICTURE (the same
photograph at another size or with a small edit, or two consecutive video
frames; found by PDQ and by eye) keep their larger member. DIR is rebuilt from scratch in a sibling folder and then
swapped in, so an interrupted run leaves the previous corpus untouched.
"""

import fnmatch
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import images  # noqa: E402
import rcc  # noqa: E402

MIN_SIDE = 128
MIN_PHOTOS = 300
MAX_FILE_BYTES = 64 * 1024 * 1024

# --- gcompris-qt-data -------------------------------------------------------
# The activities' pictures live in Qt resource bundles, one per activity. Only
# the folders below hold photographs (their README files credit Wikimedia
# Commons and public-domain photo sites); the rest of GCompris is drawings,
# icons, puzzle pieces and paintings. Each rule: activity, folder under
# gcompris/src/activities/<activity>/ (subfolders included), file name
# patterns kept, file names dropped.
GCOMPRIS_RCC_DIR = "/usr/share/gcompris-qt/rcc"
VAN_GOGH = (  # the paintings among the spot-the-difference backgrounds
    "Eglise_dAuvers-sur-Oise_background.webp",
    "Gogh4_background.webp",
    "PortraitOfPereTanguy_background.webp",
    "Van_Gogh_The_Night_Cafe_background.webp",
    "VincentVanGogh0012_background.webp",
    "VincentVanGogh0013_background.webp",
    "VincentVanGogh0019_background.webp",
    "VincentVanGoghBridge_background.webp",
)
GCOMPRIS = (
    ("categorization", "resource/images/", ("*",), ()),
    ("erase", "resource/", ("*",), ()),
    ("explore_farm_animals", "resource/animals/", ("*",), ()),
    ("explore_world_animals", "resource/animals/", ("*",), ()),
    ("explore_monuments", "resource/", ("*",), ()),
    ("explore_world_music", "resource/music/", ("*",), ()),
    # The sea-floor backgrounds; the fish are drawn sprites.
    ("clickgame", "resource/", ("sea*",), ()),
    # The whole pictures; the rest are small cut-out details.
    ("details", "resource/image/", ("*_background.*",), VAN_GOGH),
    # Photographs of Braille objects and places; not the portrait, the chart
    # or the night-writing diagram.
    ("louis-braille", "resource/",
     ("braille.webp", "braille_ball.webp", "fireplace.webp", "rnib.webp",
      "statue.webp", "teach.webp", "workshop.webp"), ()),
)

# --- plain files from the other packages ------------------------------------
# Source, package, folder, names kept ("*": every picture in the folder).
# Graphics, logos, renders, paintings and test patterns are left out.
FILES = (
    # 16.04's wallpapers are photographs but for the umang gradient; 20.04
    # adds three graphics (Fossa, Infinite-Sea, Painting-Colors) and one
    # photograph. The lomiri-wallpapers package itself (which depends on both)
    # only ships the Ubuntu "warty" graphic.
    ("lomiri", "lomiri-wallpapers-16.04", "/usr/share/backgrounds",
     ("Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg",
      "Picture_0B_by_freespace.jpg", "Picture_1A_by_freespace.jpg",
      "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg",
      "analogpattern_by_Peter_Nerlich.jpg", "free_by_Peter_Nerlich.jpg",
      "friends_by_Aitzol_Berasategi.jpg", "greentock_by_Peter_Nerlich.jpg",
      "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
      "seeding_by_Clements_Engelhardt.jpg", "sunset_by_Aitzol_Berasategi.jpg")),
    ("lomiri", "lomiri-wallpapers-20.04", "/usr/share/backgrounds",
     ("Kleiber_by_Lukas_Baubkus.jpg",)),
    # mate/nature is photographs; mate/abstract and mate/desktop are not.
    ("mate", "mate-backgrounds", "/usr/share/backgrounds/mate/nature", ("*",)),
    ("lxqt", "lxqt-themes", "/usr/share/lxqt/wallpapers",
     ("Butterfly-Kenneth-Wimer.jpg", "Valendas.png", "after-the-rain.jpg",
      "appleflower.png", "beam.png", "butterfly.png", "cloud.png", "drop.png",
      "flowers.png", "fog.jpg", "this-is-not-windows.jpg")),
    # Photographs only: no calibration chessboards, renders, logos, drawn
    # shapes, text, synthetic blur (licenseplate_motion, text_*), paintings
    # (starry_night), backlit silhouettes (pca_test1) or ground truth (aloeGT).
    ("opencv", "opencv-doc", "/usr/share/doc/opencv-doc/examples/data",
     ("aero1.jpg", "aero3.jpg", "aloeL.jpg", "aloeR.jpg", "apple.jpg",
      "baboon.jpg", "basketball1.png", "basketball2.png", "blox.jpg", "board.jpg",
      "box.png", "box_in_scene.png", "building.jpg", "butterfly.jpg",
      "chicky_512.png", "ela_modified.jpg", "ela_original.jpg", "fruits.jpg",
      "graf1.png", "graf3.png", "home.jpg", "left.jpg", "right.jpg",
      "leuvenA.jpg", "leuvenB.jpg", "messi5.jpg", "orange.jpg",
      "rubberwhale1.png", "rubberwhale2.png", "smarties.png",
      "squirrel_cls.jpg", "stuff.jpg")),
    # Photographs only: no checkerboards, text, the horse silhouette, the
    # phantom, palettes, the logo or the synthetic motion blur (clock_motion).
    ("skimage", "python3-skimage", "/usr/lib/python3/dist-packages/skimage/data",
     ("astronaut.png", "brick.png", "camera.png", "cell.png", "chelsea.png",
      "coffee.png", "coins.png", "grass.png", "gravel.png",
      "hubble_deep_field.jpg", "ihc.png", "moon.png", "motorcycle_left.png",
      "motorcycle_right.png", "retina.jpg", "rocket.jpg")),
)

# --- plasma-workspace-wallpapers ---------------------------------------------
# Each wallpaper is a folder with contents/images/<W>x<H>.<ext>; most sizes
# are symbolic links to one file. The photographs below keep their largest
# real file; the other wallpapers are drawings and renders.
PLASMA_PACKAGE = "plasma-workspace-wallpapers"
PLASMA_DIR = "/usr/share/wallpapers"
PLASMA = ("BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour",
          "EveningGlow", "FallenLeaf", "Grey", "Kite", "OneStandsOut", "Path",
          "summer_1am")

# --- the same photograph twice ----------------------------------------------
# Pairs of corpus files (names as written) that show the same picture: one
# photograph at another size, re-cropped or slightly edited, or two
# consecutive frames of a video. The larger (more pixels) is
# kept; on a tie, the first named. docs/CORPUS.md lists them with the pairs
# that look alike to PDQ but are different photographs, which stay.
SAME_PICTURE = (
    # GCompris ships these monuments twice: 320 px wide for sorting, 1024 px
    # for exploring (PDQ distances 14, 16 and 18).
    ("gcompris-categorization-monuments-brandenburg_gate.webp",
     "gcompris-explore_monuments-germany-brandenburg_gate.webp"),
    ("gcompris-categorization-monuments-colosseum.webp",
     "gcompris-explore_monuments-wonders-colosseum.webp"),
    ("gcompris-categorization-monuments-great_pyramid.webp",
     "gcompris-explore_monuments-egypt-great_pyramid_of_giza.webp"),
    # Consecutive video frames, made for optical-flow tests: the same picture
    # for any matcher (PDQ distances 10 and 24).
    ("opencv-basketball1.png", "opencv-basketball2.png"),
    ("opencv-rubberwhale1.png", "opencv-rubberwhale2.png"),
    # One photograph with a pasted-in object and another crop, made for error
    # level analysis (PDQ distance 108: the crop moves every block).
    ("opencv-ela_original.jpg", "opencv-ela_modified.jpg"),
    # Stereo pairs: one scene at one instant from two cameras a few
    # centimetres apart (PDQ distances 88 and 114). A matcher made to find a
    # picture after a crop and a small shift finds the other view too.
    ("skimage-motorcycle_left.png", "skimage-motorcycle_right.png"),
    ("opencv-aloe_l.jpg", "opencv-aloe_r.jpg"),
)

SOURCES = ("gcompris", "lomiri", "mate", "plasma", "lxqt", "opencv", "skimage")


class CorpusError(Exception):
    pass


class Photo:
    def __init__(self, source, name, package, origin, data):
        self.source = source
        self.package = package
        self.origin = origin  # path inside the package
        self.data = data
        try:
            self.format, self.width, self.height = images.probe(data)
        except images.ImageError as error:
            raise CorpusError(f"{origin}: {error}") from None
        extension = {"jpeg": "jpg", "png": "png", "webp": "webp"}[self.format]
        self.file = f"{source}-{safe_name(name)}.{extension}"
        self.sha256 = hashlib.sha256(data).hexdigest()


def safe_name(name):
    """'arcDeTriomphe' -> 'arc_de_triomphe'; anything outside [a-z0-9_-]
    becomes '-'."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    name = re.sub(r"[^a-z0-9_-]+", "-", name)
    return name.strip("-_") or "unnamed"


def is_photo_candidate(data):
    try:
        images.probe(data)
        return True
    except images.ImageError:
        return False


def package_files(package):
    result = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True)
    if result.returncode != 0:
        raise CorpusError(f"package {package} is not installed (dpkg-query -L failed)")
    return [line for line in result.stdout.splitlines() if line.startswith("/")]


def read_file(path):
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise CorpusError(f"{path}: {size} bytes, more than {MAX_FILE_BYTES}")
    with open(path, "rb") as file:
        return file.read()


def matches(name, patterns):
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def stem(name):
    return name.rsplit(".", 1)[0] if "." in name else name


def gcompris_photos(warnings):
    bundles = {os.path.basename(path): path for path in package_files("gcompris-qt-data")
               if path.startswith(GCOMPRIS_RCC_DIR + "/") and path.endswith(".rcc")}
    photos = []
    for activity, folder, keep, drop in GCOMPRIS:
        bundle_path = bundles.get(activity + ".rcc")
        if bundle_path is None:
            raise CorpusError(f"gcompris-qt-data has no {activity}.rcc")
        bundle = rcc.open_bundle(bundle_path)
        prefix = f"gcompris/src/activities/{activity}/{folder}"
        found = set()
        for resource in bundle.resources():
            if not resource.path.startswith(prefix):
                continue
            name = resource.path.rsplit("/", 1)[-1]
            if not matches(name, keep) or name in drop:
                continue
            data = resource.read()
            if not is_photo_candidate(data):
                continue  # SVG, QML, sound...
            found.add(name)
            subfolders = resource.path[len(prefix):].split("/")[:-1]
            label = "-".join([activity] + subfolders + [stem(name)])
            photos.append(Photo("gcompris", label, "gcompris-qt-data",
                                f"{bundle_path}:{resource.path}", data))
        missing_names(warnings, f"{activity}.rcc", keep, found)
    return photos


def missing_names(warnings, where, keep, found):
    for pattern in keep:
        if not any(fnmatch.fnmatchcase(name, pattern) for name in found):
            warnings.append(f"{where} has no picture matching '{pattern}'")


def file_photos(warnings):
    photos = []
    for source, package, folder, keep in FILES:
        found = set()
        for path in package_files(package):
            if os.path.dirname(path) != folder or os.path.islink(path) or not os.path.isfile(path):
                continue
            name = os.path.basename(path)
            if not matches(name, keep):
                continue
            data = read_file(path)
            if not is_photo_candidate(data):
                continue
            found.add(name)
            photos.append(Photo(source, stem(name), package, path, data))
        missing_names(warnings, f"{package} {folder}", keep, found)
    return photos


def plasma_photos(warnings):
    by_wallpaper = {}
    for path in package_files(PLASMA_PACKAGE):
        parts = os.path.relpath(path, PLASMA_DIR).split("/")
        if (len(parts) == 4 and parts[1:3] == ["contents", "images"]
                and not os.path.islink(path) and os.path.isfile(path)):
            by_wallpaper.setdefault(parts[0], []).append(path)
    photos = []
    for wallpaper in PLASMA:
        candidates = []
        for path in by_wallpaper.get(wallpaper, []):
            data = read_file(path)
            if is_photo_candidate(data):
                candidates.append(Photo("plasma", wallpaper, PLASMA_PACKAGE, path, data))
        if not candidates:
            warnings.append(f"{PLASMA_PACKAGE} has no picture for wallpaper '{wallpaper}'")
            continue
        photos.append(max(candidates, key=lambda photo: photo.width * photo.height))
    return photos


def select(photos, warnings):
    """Applies the size rule, drops repeated bytes and SAME_PICTURE pairs."""
    kept = []
    by_sha = {}
    by_file = {}
    for photo in photos:
        if min(photo.width, photo.height) < MIN_SIDE:
            continue
        if photo.sha256 in by_sha:
            continue  # the same bytes, already kept from an earlier rule
        if photo.file in by_file:
            raise CorpusError(f"two pictures would both be named {photo.file}: "
                              f"{by_file[photo.file].origin} and {photo.origin}")
        by_sha[photo.sha256] = photo
        by_file[photo.file] = photo
        kept.append(photo)
    dropped = set()
    for first, second in SAME_PICTURE:
        if first not in by_file or second not in by_file:
            warnings.append(f"SAME_PICTURE names a file the rules no longer produce: "
                            f"{first if first not in by_file else second}")
            continue
        a, b = by_file[first], by_file[second]
        dropped.add(b.file if a.width * a.height >= b.width * b.height else a.file)
    return [photo for photo in kept if photo.file not in dropped]


def write_corpus(directory, photos):
    directory = os.path.abspath(directory)
    if os.path.exists(directory):
        if not os.path.isdir(directory):
            raise CorpusError(f"{directory} exists and is not a folder")
        entries = os.listdir(directory)
        if entries and "MANIFEST.tsv" not in entries:
            raise CorpusError(f"{directory} is not empty and holds no MANIFEST.tsv: "
                              "refusing to replace a folder this script did not make")
    staging = directory + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    rows = ["file\tpackage\tpath\twidth\theight\tsha256"]
    for photo in sorted(photos, key=lambda photo: photo.file):
        with open(os.path.join(staging, photo.file), "wb") as file:
            file.write(photo.data)
        rows.append(f"{photo.file}\t{photo.package}\t{photo.origin}\t"
                    f"{photo.width}\t{photo.height}\t{photo.sha256}")
    with open(os.path.join(staging, "MANIFEST.tsv"), "w", encoding="utf-8") as file:
        file.write("\n".join(rows) + "\n")
    previous = directory + ".previous"
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.exists(directory):
        os.rename(directory, previous)
    os.rename(staging, directory)
    shutil.rmtree(previous, ignore_errors=True)


def main(argv):
    if len(argv) != 2:
        print("usage: build.py DIR", file=sys.stderr)
        return 2
    warnings = []
    try:
        photos = gcompris_photos(warnings) + file_photos(warnings) + plasma_photos(warnings)
        photos = select(photos, warnings)
        for warning in warnings:
            print(f"corpus: warning: {warning}", file=sys.stderr)
        if len(photos) < MIN_PHOTOS:
            raise CorpusError(f"only {len(photos)} photos found, fewer than {MIN_PHOTOS}; "
                              "the packages' contents may have changed (see docs/CORPUS.md)")
        write_corpus(argv[1], photos)
    except (CorpusError, rcc.RccError, OSError) as error:
        print(f"corpus: error: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{source} {sum(photo.source == source for photo in photos)}"
                       for source in SOURCES)
    print(f"corpus: {len(photos)} photos in {argv[1]} ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
