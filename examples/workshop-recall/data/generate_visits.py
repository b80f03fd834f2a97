#!/usr/bin/env python3
"""Writes data/visits.csv: made-up workshop visits for the recall demo.

Every name, plate, number and address is invented. The seed is fixed, so running the script
again gives the same file byte for byte:

    python3 data/generate_visits.py > data/visits.csv
"""
import csv
import datetime
import random
import sys

SEED = 20260302
CUSTOMERS = 240

FIRST = ["Anders", "Birgitte", "Carsten", "Dorthe", "Erik", "Frida", "Gustav", "Hanne", "Ib",
         "Jette", "Kasper", "Lise", "Mads", "Nanna", "Ole", "Pernille", "Rasmus", "Sofie",
         "Thomas", "Ulla", "Viggo", "Birthe", "Jens", "Kirsten", "Morten", "Signe", "Søren",
         "Åse", "Bjørn", "Mette", "Niels", "Karen", "Henrik", "Louise", "Jørgen", "Camilla"]
LAST = ["Andersen", "Bech", "Christiansen", "Dahl", "Eriksen", "Frost", "Gregersen", "Holm",
        "Iversen", "Jeppesen", "Kjær", "Lauridsen", "Mortensen", "Nygaard", "Overgaard",
        "Poulsen", "Quist", "Rasmussen", "Sørensen", "Thygesen", "Ulriksen", "Vestergaard",
        "Winther", "Østergaard", "Aagaard", "Bruun", "Damgaard", "Fisker", "Hedegaard", "Krogh"]
LETTERS = "ABCDEFHJKLMNPRSTUVXYZ"

# What an invoice says, per kind of visit. Several lines are joined with "; " and some visits
# mix two kinds of work.
SERVICE_LINES = ["Service iflg. serviceplan", "Olieskift inkl. oliefilter", "Intervalservice 30.000 km",
                 "Serviceeftersyn og pollenfilter", "Stort service med tandrem", "Lille service"]
INSPECTION_LINES = ["Klargøring til syn", "Synstjek og omsyn", "Periodisk syn, kørt til synshal",
                    "Syn udført, ingen anmærkninger"]
TYRE_LINES = ["Hjulskift", "Dækskifte til vinterdæk", "Skift til sommerdæk", "Hjulskift + dækhotel",
              "Afbalancering og hjulskift"]
OTHER_LINES = ["Udskiftning af bremseklodser", "Ny vinduesviskerblade", "Fejlsøgning, motorlampe",
               "Reparation af udstødning", "Nyt batteri monteret"]
# The spare parts and repair codes the workshop system puts on the order: some invoices say only
# "Arbejdsløn" (labour) in the order lines, and then the parts or the code tell the kind.
PARTS = {
    "service": ["Oliefilter", "Motorolie 5W-30, 4,5 l", "Luftfilter", "Pollenfilter",
                "Tandremssæt", "Bundprop med pakning"],
    "inspection": ["Pære H7", "Viskerblade for", ""],
    "tyres": ["Vinterdæk 205/55 R16, 4 stk.", "Sommerdæk 195/65 R15, 4 stk.", "Ventiler, 4 stk.",
              "Afbalanceringslodder"],
    "other": ["Bremseklodser for", "Batteri 70 Ah", "Viskerblade for", "Lyddæmper bag"],
}
CODES = {
    "service": ["SV10", "SV20", "SV30"],
    "inspection": ["SY01", "SY02"],
    "tyres": ["HJ01", "DH02"],
    "other": ["BR01", "EL05", "UD03", ""],
}
LABOUR = "Arbejdsløn"
REMARKS = ["", "", "", "Kunden venter på bilen", "Bilen vasket, tak for besøget",
           "Bemærk: \"kontrollampe\" lyser stadig", "Næste gang: tjek bremser, kobling",
           "Kunden ønsker opringning før arbejdet\nRing på mobil", "Lånebil udleveret"]


def plate(rng):
    return f"{rng.choice(LETTERS)}{rng.choice(LETTERS)} {rng.randint(10, 99)} {rng.randint(100, 999)}"


def phone(rng):
    return f"+45{rng.choice('2345678')}{rng.randint(0, 9999999):07d}"


def ascii_mail(text):
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    return text.translate(table).lower()


def visit_date(rng, start, end):
    days = (end - start).days
    while True:
        d = start + datetime.timedelta(days=rng.randint(0, days))
        if d.weekday() < 5:
            return d


def tyre_date(rng, year, winter):
    # Most tyre changes happen in the season; a few customers come late.
    if winter:
        start = datetime.date(year, 10, 1)
        span = 50 if rng.random() < 0.2 else 38
    else:
        start = datetime.date(year, 3, 14)
        span = 60 if rng.random() < 0.2 else 46
    return visit_date(rng, start, start + datetime.timedelta(days=span))


def visits_of(rng, customer):
    out = []
    first = datetime.date(2024, 6, 1)
    last = datetime.date(2026, 2, 27)
    if rng.random() < 0.75:  # service customers
        d = visit_date(rng, datetime.date(2025, 3, 1), last)
        lines = [rng.choice(SERVICE_LINES)]
        if rng.random() < 0.2:
            lines.append(rng.choice(OTHER_LINES))
        next_service = ""
        if rng.random() < 0.5:
            next_service = (d + datetime.timedelta(days=rng.choice([330, 365, 395]))).isoformat()
        out.append((d, lines, next_service))
        if rng.random() < 0.4:  # an older service visit the import must skip
            out.append((visit_date(rng, first, d - datetime.timedelta(days=200)),
                        [rng.choice(SERVICE_LINES)], ""))
    if rng.random() < 0.3:  # inspection every two years
        d = visit_date(rng, datetime.date(2024, 6, 1), datetime.date(2025, 2, 28))
        out.append((d, [rng.choice(INSPECTION_LINES)], ""))
    if rng.random() < 0.5:  # tyre hotel customers come twice a year
        year = rng.choice([2024, 2025])
        out.append((tyre_date(rng, year, True), [rng.choice(TYRE_LINES)], ""))
        if rng.random() < 0.7:
            out.append((tyre_date(rng, 2025, False), [rng.choice(TYRE_LINES)], ""))
    if rng.random() < 0.3 or not out:
        out.append((visit_date(rng, first, last), [rng.choice(OTHER_LINES)], ""))
    return out


def inspection_due(register, visits):
    """The car's next periodic inspection as the vehicle register has it (the workshop system
    prints it on every invoice): two years after an inspection done here, or, for some cars
    inspected elsewhere, a date of their own; empty when the register has none on file."""
    done = [d for d, lines, _ in visits if lines[0] in INSPECTION_LINES]
    if done:
        d = max(done)
        try:
            return d.replace(year=d.year + 2).isoformat()
        except ValueError:  # 29 February
            return d.replace(year=d.year + 2, day=28).isoformat()
    if register.random() < 0.15:
        return visit_date(register, datetime.date(2026, 3, 2), datetime.date(2026, 12, 18)).isoformat()
    return ""


def later_visits(later, visits):
    """Visits after the demo's first import (2 March 2026): some service customers come in
    before or after their recall, and some tyre customers change to summer tyres early in the
    season. The weekly imports find them, and the recall for that work ends (work.done)."""
    kinds = {kind_of(lines) for _, lines, _ in visits}
    out = []
    if "service" in kinds and later.random() < 0.12:
        d = visit_date(later, datetime.date(2026, 3, 3), datetime.date(2026, 10, 30))
        out.append((d, [later.choice(SERVICE_LINES)], ""))
    spring = [d for d, lines, _ in visits if kind_of(lines) == "tyres" and d.month < 8]
    if spring and later.random() < 0.15:
        d = visit_date(later, datetime.date(2026, 3, 14), datetime.date(2026, 4, 3))
        out.append((d, [later.choice(TYRE_LINES)], ""))
    return out


def kind_of(lines):
    for kind, table in (("service", SERVICE_LINES), ("inspection", INSPECTION_LINES),
                        ("tyres", TYRE_LINES)):
        if lines[0] in table:
            return kind
    return "other"


def order(parts_rng, lines):
    """The order's lines, spare parts and repair codes. One order in five has only 'Arbejdsløn'
    on its lines: the parts and codes still tell what was done."""
    kind = kind_of(lines)
    parts = [p for p in parts_rng.sample(PARTS[kind], k=2) if p]
    codes = [c for c in [parts_rng.choice(CODES[kind])] if c]
    if kind != "other" and parts_rng.random() < 0.2:
        lines = [LABOUR] + lines[1:]
        if not codes:
            codes = [CODES[kind][0]]
    return "; ".join(lines), "; ".join(parts), " ".join(codes)


def main():
    rng = random.Random(SEED)
    # A second stream for the register's dates and a third for the order's parts and codes, so
    # that the visits stay as they were.
    register = random.Random(SEED + 1)
    parts_rng = random.Random(SEED + 2)
    # A fourth for the visits after the first import, which the weekly imports find.
    later = random.Random(SEED + 3)
    writer = csv.writer(sys.stdout, lineterminator="\r\n")
    writer.writerow(["order_no", "customer_no", "customer_name", "email", "phone", "plate",
                     "customer_type", "unsubscribed", "visit_date", "order_lines", "remarks",
                     "next_service", "inspection_due", "spare_parts", "repair_codes"])
    order_no = 40000
    rows = []
    for n in range(CUSTOMERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        has_email = rng.random() < 0.85
        has_phone = rng.random() < 0.9 or not has_email
        email = f"{ascii_mail(first)}.{ascii_mail(last)}{n}@example.dk" if has_email else ""
        kind = rng.choices(["privat", "leasing", "forsikring"], [0.92, 0.05, 0.03])[0]
        customer = {
            "no": f"K{10000 + n}",
            "name": name,
            "email": email,
            "phone": phone(rng) if has_phone else "",
            "plate": plate(rng),
            "type": kind,
            "unsubscribed": "ja" if rng.random() < 0.03 else "nej",
        }
        visits = visits_of(rng, customer)
        customer["inspection_due"] = inspection_due(register, visits)
        visits += later_visits(later, visits)
        for d, lines, next_service in visits:
            rows.append((d, customer, lines, next_service))
    rows.sort(key=lambda r: (r[0], r[1]["no"]))
    for d, c, lines, next_service in rows:
        order_no += 1
        order_lines, parts, codes = order(parts_rng, lines)
        writer.writerow([order_no, c["no"], c["name"], c["email"], c["phone"], c["plate"],
                         c["type"], c["unsubscribed"], d.isoformat(), order_lines,
                         rng.choice(REMARKS), next_service, c["inspection_due"], parts, codes])


if __name__ == "__main__":
    main()
