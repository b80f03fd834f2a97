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


def main():
    rng = random.Random(SEED)
    # A second stream for the register's dates, so that the visits stay as they were.
    register = random.Random(SEED + 1)
    writer = csv.writer(sys.stdout, lineterminator="\r\n")
    writer.writerow(["order_no", "customer_no", "customer_name", "email", "phone", "plate",
                     "customer_type", "unsubscribed", "visit_date", "order_lines", "remarks",
                     "next_service", "inspection_due"])
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
        for d, lines, next_service in visits:
            rows.append((d, customer, lines, next_service))
    rows.sort(key=lambda r: (r[0], r[1]["no"]))
    for d, c, lines, next_service in rows:
        order_no += 1
        writer.writerow([order_no, c["no"], c["name"], c["email"], c["phone"], c["plate"],
                         c["type"], c["unsubscribed"], d.isoformat(), "; ".join(lines),
                         rng.choice(REMARKS), next_service, c["inspection_due"]])


if __name__ == "__main__":
    main()
