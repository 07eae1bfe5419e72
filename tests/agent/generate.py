#!/usr/bin/python3
"""Generates labelled synthetic scans of resignation letters for `tabel agent-eval`.

    tests/agent/generate.py OUT_DIR [--count N] [--seed S]
    tests/agent/generate.py OUT.png --letter SPEC.json   (one clean letter a test asks for)

Writes OUT_DIR/letter-NNN.{png,jpg,tif,pdf} and, next to each, letter-NNN.json: the
employee record and the receipt date to check the letter against, and what a correct
reading decides (the decision, the problem codes and the fields). The same seed gives the
same files. Needs Debian's python3-pil and the fonts of scripts/lib/deps.sh.
"""

import argparse
import datetime
import io
import json
import math
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 200
PAGE = (int(8.27 * DPI), int(11.69 * DPI))  # A4
FONT_DIRS = ["/usr/share/fonts/truetype"]
PRINTED = ["dejavu/DejaVuSerif.ttf", "liberation/LiberationSerif-Regular.ttf",
           "liberation/LiberationSans-Regular.ttf", "dejavu/DejaVuSans.ttf"]
HANDWRITING = ["klee/KleeOne-SemiBold.ttf", "klee/KleeOne-Regular.ttf"]

MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]

# (nominative last, first, middle; genitive last, first, middle; initials) of men and women.
PEOPLE = [
    ("Петров", "Пётр", "Петрович", "Петрова", "Петра", "Петровича"),
    ("Смирнов", "Алексей", "Викторович", "Смирнова", "Алексея", "Викторовича"),
    ("Кузнецов", "Дмитрий", "Олегович", "Кузнецова", "Дмитрия", "Олеговича"),
    ("Волков", "Сергей", "Андреевич", "Волкова", "Сергея", "Андреевича"),
    ("Морозов", "Иван", "Николаевич", "Морозова", "Ивана", "Николаевича"),
    ("Соколова", "Анна", "Сергеевна", "Соколовой", "Анны", "Сергеевны"),
    ("Лебедева", "Мария", "Ивановна", "Лебедевой", "Марии", "Ивановны"),
    ("Новикова", "Елена", "Павловна", "Новиковой", "Елены", "Павловны"),
    ("Фёдорова", "Ольга", "Дмитриевна", "Фёдоровой", "Ольги", "Дмитриевны"),
    ("Захаров", "Михаил", "Юрьевич", "Захарова", "Михаила", "Юрьевича"),
    ("Белова", "Татьяна", "Алексеевна", "Беловой", "Татьяны", "Алексеевны"),
    ("Григорьев", "Николай", "Степанович", "Григорьева", "Николая", "Степановича"),
]
# (nominative, genitive) of positions, and departments in the genitive.
POSITIONS = [("ведущий специалист", "ведущего специалиста"), ("главный экономист", "главного экономиста"),
             ("кассир", "кассира"), ("менеджер", "менеджера"), ("аналитик", "аналитика"),
             ("начальник сектора", "начальника сектора")]
DEPARTMENTS = ["отдела кредитования", "управления рисками", "отдела кадров",
               "департамента розничного бизнеса", "операционного отдела"]
ADDRESSEES = [["Генеральному директору", "АО «Северный банк»", "{boss}"],
              ["Председателю правления", "АО «Северный банк»", "{boss}"],
              ["Директору филиала", "АО «Северный банк»", "{boss}"]]
BOSSES = ["Орлову В. А.", "Ковалёву С. Н.", "Зайцевой Е. В."]

# Each kind: what is wrong with the letter, and the problem codes a correct reading reports.
KINDS = [
    ("correct", []),
    ("correct", []),
    ("correct_retirement", []),
    ("correct_probation", []),
    ("missing_dismissal_date", ["missing_dismissal_date"]),
    ("dismissal_date_too_early", ["dismissal_date_too_early"]),
    ("no_signature", ["missing_signature"]),
    ("other_wording", ["missing_wording", "missing_dismissal_date"]),
    ("other_person", ["employee_name_mismatch"]),
    ("missing_addressee", ["missing_addressee"]),
]


def font(path, size):
    for base in FONT_DIRS:
        if os.path.exists(os.path.join(base, path)):
            return ImageFont.truetype(os.path.join(base, path), size)
    sys.exit(f"generate.py: font {path} not found (install the fonts of scripts/lib/deps.sh)")


def date_text(rng, day):
    style = rng.randrange(3)
    if style == 0:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."
    if style == 1:
        return day.strftime("%d.%m.%Y")
    return f"«{day.day:02d}» {MONTHS[day.month - 1]} {day.year} года"


def signature(draw, rng, x, y):
    """A scribble: a few joined Bézier-like strokes across the signature line."""
    points = []
    cx, cy = x, y
    for _ in range(rng.randint(5, 8)):
        cx += rng.randint(25, 60)
        cy = y + rng.randint(-80, 20)
        points.append((cx, cy))
    width = rng.randint(3, 5)
    smooth = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in range(9):
            s = t / 8
            bend = math.sin(s * math.pi) * rng.randint(-10, 10)
            smooth.append((x0 + (x1 - x0) * s, y0 + (y1 - y0) * s + bend))
    draw.line(smooth, fill=(20, 30, 110), width=width, joint="curve")
    draw.line([(x + 10, y + rng.randint(-5, 5)), (cx + 10, y - rng.randint(10, 30))],
              fill=(20, 30, 110), width=width)


def letter(rng, index, kind, fixed=None):
    person = rng.choice(PEOPLE)
    other = rng.choice([p for p in PEOPLE if p[0][:4] != person[0][:4] and p[1][:3] != person[1][:3]])
    writer = other if kind == "other_person" else person
    position_nom, position_gen = rng.choice(POSITIONS)
    department = rng.choice(DEPARTMENTS)
    written = datetime.date(2026, 1, 12) + datetime.timedelta(days=rng.randrange(330))
    received = written + datetime.timedelta(days=rng.choice([0, 0, 1, 2]))
    probation_ends = None
    reason = None
    if kind == "dismissal_date_too_early":
        dismissal = received + datetime.timedelta(days=rng.randint(1, 12))
    elif kind == "correct_retirement":
        dismissal = received + datetime.timedelta(days=rng.randint(1, 10))
        reason = rng.choice(["в связи с выходом на пенсию", "в связи с поступлением на обучение"])
    elif kind == "correct_probation":
        dismissal = received + datetime.timedelta(days=rng.randint(3, 12))
        probation_ends = received + datetime.timedelta(days=rng.randint(10, 80))
    else:
        dismissal = received + datetime.timedelta(days=rng.randint(14, 40))
    if fixed:  # the letter a test asks for (--letter): its person and dates
        person = writer = tuple(fixed["person"])
        position_nom, position_gen = fixed["position"]
        department = fixed["department"]
        written = received = datetime.date.fromisoformat(fixed["written_date"])
        dismissal = datetime.date.fromisoformat(fixed["dismissal_date"])
        reason = probation_ends = None

    handwriting = rng.random() < 0.3
    face = rng.choice(HANDWRITING if handwriting else PRINTED)
    size = rng.randint(34, 40) if handwriting else rng.randint(30, 36)
    if fixed:  # printed, as a clean scan
        face, size = PRINTED[0], 32
    body = font(face, size)
    image = Image.new("RGB", PAGE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    ink = (rng.randint(0, 40),) * 3
    line = int(size * 1.45)

    boss = rng.choice(BOSSES)
    y = int(PAGE[1] * 0.07)
    addressee_lines = [t.format(boss=boss) for t in rng.choice(ADDRESSEES)]
    name_gen = f"{writer[3]} {writer[4]} {writer[5]}"
    header = addressee_lines + [f"от {position_gen}", department, name_gen]
    widest = max(draw.textlength(text, font=body) for text in header)
    right = min(int(PAGE[0] * 0.5), int(PAGE[0] * 0.93 - widest))
    if kind != "missing_addressee":
        for text in addressee_lines:
            draw.text((right, y), text, font=body, fill=ink)
            y += line
    for text in [f"от {position_gen}", department, name_gen]:
        draw.text((right, y), text, font=body, fill=ink)
        y += line
    y += line * 2
    title = font(face, size + 4)
    draw.text((PAGE[0] // 2 - size * 3, y), "ЗАЯВЛЕНИЕ", font=title, fill=ink)
    y += line * 2
    left = int(PAGE[0] * 0.1)
    dismissal_text = date_text(rng, dismissal)
    if kind == "other_wording":
        sentences = [f"Прошу предоставить мне ежегодный оплачиваемый отпуск с {dismissal_text}"]
    elif kind == "missing_dismissal_date":
        sentences = ["Прошу уволить меня по собственному желанию."]
    elif rng.random() < 0.5:
        sentences = ["Прошу уволить меня по собственному желанию", f"{dismissal_text}"]
    else:
        sentences = [f"Прошу уволить меня {dismissal_text}", "по собственному желанию"]
    if reason:
        sentences[-1] += ","
        sentences.append(reason + ".")
    elif not sentences[-1].endswith("."):
        sentences[-1] += "."
    limit = PAGE[0] * 0.9
    for number, text in enumerate(sentences):
        x = left if number == 0 else left - size
        words = (("      " if number == 0 else "") + text).split(" ")
        while words:  # wrapped at the right margin
            taken = len(words)
            while taken > 1 and x + draw.textlength(" ".join(words[:taken]), font=body) > limit:
                taken -= 1
            draw.text((x, y), " ".join(words[:taken]), font=body, fill=ink)
            words = words[taken:]
            x = left - size
            y += line
    y += line * 3
    draw.text((left, y), date_text(rng, written), font=body, fill=ink)
    sign_x = int(PAGE[0] * 0.5)
    draw.line([(sign_x, y + size), (sign_x + int(PAGE[0] * 0.18), y + size)], fill=ink, width=2)
    initials = f"{writer[1][0]}. {writer[2][0]}. {writer[0]}"
    decipher = f"/{initials}/"
    draw.text((min(sign_x + int(PAGE[0] * 0.2), int(PAGE[0] * 0.95 - draw.textlength(decipher, font=body))), y),
              decipher, font=body, fill=ink)
    if kind != "no_signature":
        signature(draw, rng, sign_x + rng.randint(0, 40), y + size - 5)

    if not fixed:
        image = degrade(rng, image)
    fmt = "png" if fixed else rng.choice(["png", "png", "jpg", "jpg", "tif", "pdf"])
    name = f"letter-{index:03d}.{fmt}"
    problems = list(dict(KINDS)[kind]) if kind in dict(KINDS) else []
    label = {
        "file": name,
        "kind": kind,
        "font": os.path.basename(face),
        "received_on": received.isoformat(),
        "employee": {"last_name": person[0], "first_name": person[1], "middle_name": person[2],
                     "position": position_nom,
                     "probation_ends": probation_ends.isoformat() if probation_ends else None},
        "expected": {
            "decision": "needs_corrections" if problems else "accepted",
            "problems": problems,
            "fields": {
                "addressee": None if kind == "missing_addressee" else " ".join(addressee_lines),
                "employee_name": name_gen,
                "position": position_gen,
                "department": department,
                "wording": None if kind == "other_wording" else "Прошу уволить меня по собственному желанию",
                "dismissal_date": None if kind in ("missing_dismissal_date", "other_wording") else dismissal.isoformat(),
                "written_date": written.isoformat(),
                "signed": kind != "no_signature",
            },
        },
    }
    return image, fmt, name, label


def degrade(rng, image):
    """Scanner faults: rotation, low contrast, blur, noise (JPEG artefacts come with the format)."""
    angle = rng.uniform(-2.5, 2.5)
    image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(250, 250, 250))
    if rng.random() < 0.3:  # low contrast: ink becomes grey, paper yellowish-grey
        lo, hi = rng.randint(70, 110), rng.randint(200, 230)
        image = image.point(lambda v: lo + v * (hi - lo) // 255)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0)))
    if rng.random() < 0.5:
        noise = Image.effect_noise(image.size, rng.uniform(10, 25)).convert("RGB")
        image = Image.blend(image, noise, 0.12)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--letter", metavar="SPEC",
                        help="draw one clean PNG letter at OUT (a file) from SPEC, a JSON file: person (the six "
                             "names of PEOPLE), position [nominative, genitive], department (genitive), "
                             "written_date, dismissal_date, signature (true/false)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.letter:
        with open(args.letter, encoding="utf-8") as f:
            spec = json.load(f)
        kind = "correct" if spec.get("signature", True) else "no_signature"
        image = letter(rng, 1, kind, fixed=spec)[0]
        image.convert("L").save(args.out, "PNG", optimize=True, dpi=(DPI, DPI))
        return
    os.makedirs(args.out, exist_ok=True)
    for index in range(1, args.count + 1):
        kind = KINDS[(index - 1) % len(KINDS)][0]
        image, fmt, name, label = letter(rng, index, kind)
        path = os.path.join(args.out, name)
        if fmt == "jpg":
            image.save(path, "JPEG", quality=rng.randint(35, 70), dpi=(DPI, DPI))
        elif fmt == "tif":
            image.convert("L").save(path, "TIFF", compression="tiff_deflate", dpi=(DPI, DPI))
        elif fmt == "pdf":
            image.save(path, "PDF", resolution=DPI)
        else:
            image.convert("L").save(path, "PNG", optimize=True, dpi=(DPI, DPI))
        with open(os.path.join(args.out, name.rsplit(".", 1)[0] + ".json"), "w", encoding="utf-8") as out:
            json.dump(label, out, ensure_ascii=False, indent=1)
            out.write("\n")


if __name__ == "__main__":
    main()
