"""Generate VibeFlow's bundled example datasets, with counted planted quality defects, deterministically."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import sqlite3
import string
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 20240611

# --------------------------------------------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as a near-duplicate detector would see them."""
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    toks = words(text)
    if len(toks) < n:
        return frozenset([tuple(toks)]) if toks else frozenset()
    return frozenset(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def jaccard(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class DiversityGate:
    """Rejects a candidate whose word 3-grams overlap too much with an already accepted one in its bucket."""

    def __init__(self, thresholds: Sequence[float]) -> None:
        self.thresholds = list(thresholds)
        self.buckets: dict[str, list[list[frozenset[tuple[str, ...]]]]] = {}
        self.rejected = 0

    def admit(self, bucket: str, *texts: str) -> bool:
        cand = [shingles(t) for t in texts]
        for prev in self.buckets.get(bucket, []):
            for c, p, limit in zip(cand, prev, self.thresholds, strict=True):
                if jaccard(c, p) > limit:
                    self.rejected += 1
                    return False
        self.buckets.setdefault(bucket, []).append(cand)
        return True


def mojibake(text: str) -> str:
    """Decode UTF-8 bytes as Windows-1252, the classic "donâ€™t" damage (still valid UTF-8 afterwards)."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def typographic(text: str) -> str:
    """Curly apostrophes, as text pasted from a word processor has them."""
    return text.replace("'", "\u2019")


def token_estimate(text: str) -> int:
    """Rough sub-word token count (words plus punctuation), good enough for planting length defects."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def fmt_money(value: float) -> str:
    return f"${value:,.2f}"


def pick(rng: random.Random, options: Sequence[str]) -> str:
    return rng.choice(list(options))


def maybe(rng: random.Random, p: float, text: str) -> str:
    return text if rng.random() < p else ""


def join_sentences(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def fake_key(rng: random.Random, prefix: str, length: int, alphabet: str) -> str:
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


def tracking_number(rng: random.Random) -> str:
    """A carrier-looking reference with no long digit runs (so it never resembles a phone or card number)."""
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "0123456789"
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(16))
        if not re.search(r"\d{5,}", body):
            return "1Z" + body


# --------------------------------------------------------------------------------------------------------------
# Shared pools
# --------------------------------------------------------------------------------------------------------------

CUSTOMER_NAMES = [
    "Maria",
    "James",
    "Aisha",
    "Tom",
    "Priyanka",
    "Daniel",
    "Sophie",
    "Wei",
    "Carlos",
    "Emma",
    "Olu",
    "Hannah",
    "Lukas",
    "Grace",
    "Mohammed",
    "Isabel",
    "Ryan",
    "Yuki",
    "Chloe",
    "Marcus",
    "Fatima",
    "Ben",
    "Elena",
    "Kofi",
    "Laura",
    "Arjun",
    "Megan",
    "Diego",
    "Nina",
    "Samuel",
    "Leah",
    "Kenji",
    "Rachel",
    "Tariq",
    "Olivia",
    "Pavel",
    "Jess",
    "Andre",
    "Camille",
    "Noah",
    "Zara",
    "Patrick",
    "Mei",
    "Victor",
    "Ingrid",
    "Omar",
    "Bethany",
    "Raj",
    "Alice",
    "Hugo",
    "Naomi",
    "Felix",
    "Tanya",
    "Jonah",
    "Amara",
    "Greg",
    "Lucia",
    "Ethan",
    "Sana",
    "Connor",
    "Helen",
    "Ivan",
    "Adaeze",
    "Kyle",
    "Rosa",
    "Mateus",
    "Freya",
    "Dev",
    "Claire",
    "Sean",
    "Yasmin",
    "Mark",
    "Julia",
    "Abdul",
    "Kate",
    "Tomasz",
    "Ruth",
    "Hiro",
    "Paula",
    "Nathan",
]
AGENTS = [
    "Maya",
    "Jonas",
    "Priya",
    "Tom",
    "Alejandra",
    "Kwame",
    "Sofia",
    "Liam",
    "Hannah",
    "Ravi",
    "Chloe",
    "Marcus",
    "Aiko",
    "Daniel",
    "Fatima",
    "Owen",
    "Grace",
    "Mateo",
    "Nadia",
    "Ben",
    "Elif",
    "Sam",
]
# (name, price, is_electronic)
PRODUCTS: list[tuple[str, float, bool]] = [
    ("Halo LED Desk Lamp", 79.0, True),
    ("Orbit Electric Standing Desk", 549.0, True),
    ("Drift Wireless Keyboard", 89.0, True),
    ("Drift Silent Mouse", 39.0, True),
    ("Arc Dual Monitor Arm", 129.0, False),
    ("Nimbus ANC Headphones", 199.0, True),
    ("Cove 14-inch Laptop Sleeve", 45.0, False),
    ("Ember Pour-Over Kettle", 69.0, True),
    ("Pulse Smart Plug 2-pack", 34.0, True),
    ("Vista 4K Webcam", 119.0, True),
    ("Loom Ergonomic Chair", 429.0, False),
    ("Tide USB-C Dock", 159.0, True),
    ("Pebble Desk Mat", 29.0, False),
    ("Beacon Wi-Fi Mesh Kit", 249.0, True),
    ("Quill Smart Notebook", 35.0, False),
    ("Aero Laptop Stand", 59.0, False),
    ("Summit Under-Desk Treadmill", 699.0, True),
    ("Lumen Ring Light", 49.0, True),
    ("Strata Cable Tray", 39.0, False),
    ("Fjord Footrest", 55.0, False),
]
CARRIERS: list[tuple[str, list[str]]] = [
    ("UPS", ["Louisville, KY", "Hodgkins, IL", "Ontario, CA", "Parsippany, NJ"]),
    ("FedEx", ["Memphis, TN", "Indianapolis, IN", "Oakland, CA", "Fort Worth, TX"]),
    ("USPS", ["Jersey City, NJ", "Denver, CO", "San Bernardino, CA", "Atlanta, GA"]),
    ("DHL", ["Cincinnati, OH", "Allentown, PA", "Chicago, IL"]),
]
PLANS = ["Starter", "Team", "Business"]
PLAN_PRICES = {"Starter": 8, "Team": 15, "Business": 29}
PLAN_LIMITS = {"Starter": 60, "Team": 300, "Business": 1200}
WORKSPACES = [
    "acme-design",
    "northpeak-ops",
    "bluefin-marketing",
    "harbor-legal",
    "kitefield",
    "orchard-labs",
    "quarry-studio",
    "lumen-health",
    "redwood-pm",
    "tandem-agency",
    "copperline",
    "fernhill-eng",
    "atlas-events",
    "ridgeway-finance",
    "saltmarsh",
    "pinecrest-it",
    "meridian-retail",
    "brightpath",
]
PLATFORMS = [
    ("macOS Sonoma 14.4", "Safari 17.4"),
    ("macOS Sonoma 14.4", "Chrome 124"),
    ("macOS Ventura", "Arc"),
    ("macOS Ventura", "Firefox 126"),
    ("Windows 11", "Edge 124"),
    ("Windows 11", "Chrome 125"),
    ("Windows 10", "Chrome 124"),
    ("Windows 10", "Firefox 125"),
    ("Ubuntu 22.04", "Firefox 126"),
    ("Ubuntu 22.04", "Chrome 124"),
    ("ChromeOS", "Chrome 125"),
]
APP_VERSIONS = ["3.18.2", "3.19.0", "3.19.1", "3.20.0", "3.20.3", "3.21.0"]
FEATURES = [
    "Gantt view",
    "CSV import",
    "calendar sync",
    "mentions panel",
    "time tracking widget",
    "dashboard filter panel",
    "file preview",
    "recurring task editor",
    "board view",
    "workload chart",
    "guest sharing dialog",
    "template picker",
]
ERROR_CODES = [
    "ERR_SYNC_409",
    "E-5012: upstream timeout",
    "Something went wrong (code 1043)",
    "ERR_BOARD_RENDER",
]
INTEGRATIONS = [
    "Slack",
    "Microsoft Teams",
    "Google Drive",
    "Jira",
    "GitHub",
    "HubSpot",
    "Salesforce",
    "Dropbox",
]
ENDPOINTS = ["/v2/tasks", "/v2/projects", "/v2/comments", "/v2/projects/:id/members", "/v2/time-entries"]
PROMOS = ["SPRING15", "WELCOME10", "DESK20", "FREESHIP", "TEAM25", "BACK2WORK", "HOLIDAY30", "SAVE12"]
NOT_SERVED = ["Norway", "Switzerland", "Australia", "Japan", "Mexico", "Brazil", "Iceland", "New Zealand"]
EU_COUNTRIES = ["Germany", "France", "the Netherlands", "Spain", "Ireland", "Belgium", "Austria", "Portugal"]


def support_context(rng: random.Random) -> dict[str, str]:
    """One consistent set of slot values for a support ticket."""
    product, price, _ = rng.choice(PRODUCTS)
    product2 = rng.choice([p for p in PRODUCTS if p[0] != product])[0]
    eproduct = rng.choice([p for p in PRODUCTS if p[2]])[0]
    carrier, hubs = rng.choice(CARRIERS)
    base = dt.date(2024, 1, 8) + dt.timedelta(days=rng.randrange(0, 320))
    d2 = base + dt.timedelta(days=rng.randint(2, 6))
    d3 = d2 + dt.timedelta(days=rng.randint(3, 7))
    plan, plan2 = rng.sample(PLANS, 2)
    seats = rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 40])
    amount = rng.choice([12, 15, 18, 24, 29, 30, 36, 45, 58, 60, 87, 116, 145, 174, 232, 290, 348, 435])
    ver = rng.randrange(len(APP_VERSIONS) - 1)
    limit = PLAN_LIMITS[plan]
    pct = rng.choice([10, 15, 20])
    platform = rng.choice(PLATFORMS)

    def day(d: dt.date) -> str:
        return f"{d:%B} {d.day}"

    return {
        "name": rng.choice(CUSTOMER_NAMES),
        "agent": rng.choice(AGENTS),
        "product": product,
        "product2": product2,
        "eproduct": eproduct,
        "price": fmt_money(price),
        "ship_fee": fmt_money(rng.choice([9.95, 14.95, 19.95])),
        "amount": fmt_money(amount),
        "order": f"TW-{rng.randint(310000, 689999)}",
        "order2": f"TW-{rng.randint(700000, 799999)}",
        "date": day(base),
        "date2": day(d2),
        "date3": day(d3),
        "month": f"{base - dt.timedelta(days=240):%B}",
        "days": str(rng.randint(6, 14)),
        "time": f"{rng.randint(9, 12) if rng.random() < 0.5 else rng.randint(1, 7)}:{rng.randint(0, 59):02d} "
        + rng.choice(["am", "pm"]),
        "carrier": carrier,
        "hub": rng.choice(hubs),
        "tracking": tracking_number(rng),
        "ref": f"CS-{rng.randint(10000, 99999)}",
        "trace": f"TR-{rng.randint(10000, 99999)}",
        "bug": f"BUG-{rng.randint(1000, 9999)}",
        "refund_id": f"RF-{rng.randint(100000, 999999)}",
        "bill": fmt_money(seats * PLAN_PRICES[plan]),
        "invoice": f"INV-2024-{rng.randint(1000, 9999)}",
        "plan": plan,
        "plan2": plan2,
        "seats": str(seats),
        "workspace": rng.choice(WORKSPACES),
        "browser": platform[1],
        "os": platform[0],
        "app_version": APP_VERSIONS[ver],
        "app_version2": APP_VERSIONS[ver + 1],
        "feature": rng.choice(FEATURES),
        "error_code": rng.choice(ERROR_CODES),
        "integration": rng.choice(INTEGRATIONS),
        "endpoint": rng.choice(ENDPOINTS),
        "limit": f"{limit:,}",
        "limit2": f"{limit * rng.choice([3, 4, 5]):,}",
        "last4": f"{rng.randint(1000, 9999)}",
        "promo": rng.choice(PROMOS),
        "pct": str(pct),
        "discount": fmt_money(price * pct / 100),
        "drop": fmt_money(round(price * rng.choice([0.1, 0.15, 0.2, 0.25]))),
        "country": rng.choice(NOT_SERVED),
        "eu_country": rng.choice(EU_COUNTRIES),
    }


# --------------------------------------------------------------------------------------------------------------
# support.csv content: Tidewell sells home-office hardware online and runs the "Tidewell Cloud" work-management SaaS
# --------------------------------------------------------------------------------------------------------------

GREETINGS = [
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hey,",
    "Good morning,",
    "Good afternoon,",
    "Hello Tidewell team,",
    "Hi support team,",
    "Dear Tidewell Support,",
    "Hey team,",
    "Hi folks,",
    "Hello again,",
    "Morning,",
]
TONE_OPENERS = {
    "neutral": ["", "", "", "Reaching out about an issue.", "I need a hand with something."],
    "polite": [
        "Hope you're having a good day.",
        "I hope this is the right place to ask.",
        "Sorry to bother you with this.",
        "Quick question for you.",
        "Thanks in advance for looking into this.",
        "",
    ],
    "frustrated": [
        "This is the second time I'm writing in about this.",
        "I'm getting really frustrated here.",
        "Honestly, I'm pretty disappointed right now.",
        "I've already spent far too long on this.",
        "Nobody replied to my last two messages, so I'm trying again.",
        "Not happy, to be honest.",
        "I've been a customer for three years and this is the worst experience I've had.",
    ],
    "urgent": [
        "This is urgent, please escalate if you can.",
        "I need help with this today if at all possible.",
        "Time-sensitive issue, sorry for the rush.",
        "We're completely blocked on this right now.",
    ],
    "confused": [
        "Not sure if I'm doing something wrong here.",
        "I'm a bit confused and hoping you can clear this up.",
        "This might be a silly question.",
        "Hopefully a quick one.",
    ],
}
BODY_CLOSERS = [
    "Thanks for your help.",
    "Looking forward to hearing back.",
    "Any help would be appreciated.",
    "Please get back to me soon.",
    "Let me know if you need anything else from me.",
    "Happy to send screenshots if that helps.",
    "Thanks.",
    "",
    "",
    "",
]
SIGN_OFFS = [
    "Thanks,",
    "Thanks!",
    "Thank you,",
    "Cheers,",
    "Regards,",
    "Best,",
    "Best regards,",
    "Many thanks,",
    "Thanks in advance,",
    "Kind regards,",
    "All the best,",
]
REPLY_GREETINGS_EMAIL = [
    "Hi {name},",
    "Hello {name},",
    "Hi {name}, thanks for reaching out.",
    "Dear {name},",
    "Hey {name},",
    "Hi {name}, thanks for writing in.",
    "Hi {name}, and thanks for your patience.",
]
REPLY_GREETINGS_CHAT = ["Hi {name}!", "Hey {name}!", "Thanks for waiting, {name}.", "Hello {name}.", "", ""]
ACKS = {
    "neutral": [
        "Thanks for the details, that makes this much easier to look into.",
        "Thanks for getting in touch about this.",
        "I've had a look at your account.",
        "Thanks for the clear description.",
        "Thanks for flagging this.",
        "I appreciate you taking the time to write this up.",
        "",
    ],
    "polite": [
        "No bother at all!",
        "Thanks for the kind message.",
        "Happy to help with this.",
        "Not a problem at all.",
    ],
    "frustrated": [
        "I'm really sorry for the runaround, and I understand why you're frustrated.",
        "You shouldn't have had to chase us on this, and I apologise for the slow reply.",
        "I'm sorry this has taken so long. I've taken ownership of your ticket so you won't have to explain it again.",
        "I completely understand the frustration, and I'm sorry we let you down here.",
        "Thank you for sticking with us, and I'm sorry it's come to this.",
    ],
    "urgent": [
        "I've prioritised this one for you.",
        "Understood, I'm on it now.",
        "Thanks for flagging the urgency, I picked this up straight away.",
    ],
    "confused": [
        "Not a silly question at all.",
        "Happy to clear this up.",
        "That part of our setup is genuinely confusing, so you're not the first to ask.",
    ],
}
REPLY_CLOSERS = [
    "Let me know if there's anything else I can help with.",
    "If anything else comes up, just reply to this email and it'll come straight back to me.",
    "Hope that helps, and have a great rest of your week.",
    "Thanks again for your patience.",
    "Anything else, I'm here.",
    "",
    "",
]
REPLY_SIGNATURES = [
    "Best,\n{agent}\nTidewell Support",
    "Kind regards,\n{agent}\nTidewell Customer Care",
    "Cheers,\n{agent}",
    "Thanks,\n{agent} | Tidewell Support",
    "All the best,\n{agent}\nTidewell Support Team",
    "- {agent}",
    "Warm regards,\n{agent}",
]

Scenario = tuple[list[str | tuple[str, int]], list[str]]

SUPPORT: dict[str, dict[str, Any]] = {
    "order_status": {
        "scenarios": [
            (
                [
                    'I placed order {order} on {date} and the tracking page has said "Label created" ever since.',
                    'Order {order} still shows "Label created, not yet in system" and it\'s been {days} days.',
                    "It's been {days} days since I ordered the {product} (order {order}) and according to tracking "
                    "{carrier} still hasn't picked it up.",
                ],
                [
                    "I checked with our warehouse and the parcel for {order} missed its scheduled {carrier} pickup on "
                    "{date2}. It went out this morning instead, so tracking should start updating tonight, with "
                    "delivery expected by {date3}.",
                    "You're right, it hadn't moved. The label was printed, but the box was set aside during a stock "
                    "count at our Reno warehouse. It's been repacked and handed to {carrier} today, so you should see "
                    "a scan within 24 hours and delivery around {date3}.",
                ],
            ),
            (
                [
                    "Tracking for {order} hasn't updated since it arrived at the {carrier} facility in {hub} on "
                    "{date2}.",
                    "My {product} has been sitting at a {carrier} hub in {hub} for almost a week, going by the "
                    "tracking.",
                    'The tracking for my order ({order}) says "In transit" but nothing has changed for five days.',
                ],
                [
                    "I can see the last scan was in {hub} on {date2}. That usually means the parcel was mis-sorted, so "
                    "I've opened a trace with {carrier} (reference {trace}). They normally find and re-route these "
                    "within two business days.",
                    "It does look stuck in {hub}. I've raised it with our {carrier} account manager under case {ref} "
                    "and asked for it to go out on the next truck. I'll keep an eye on the tracking and update you "
                    "either way by {date3}.",
                ],
            ),
            (
                [
                    "Tracking says order {order} was delivered yesterday at {time}, but there's nothing at my door or "
                    "in the mailroom.",
                    "The {product} shows as delivered, but I was home all day and nobody came by.",
                    '{carrier} claims they left my package "at front door" but it isn\'t there. Order {order}.',
                ],
                [
                    "I'm sorry, that's never a nice surprise. The delivery scan was recorded about half a mile from "
                    "your address, so I think it went to the wrong door. I've filed a claim with {carrier} and, rather "
                    "than making you wait on that, I've sent a replacement {product} on order {order2}. It should "
                    "arrive by {date3}.",
                    "{carrier} sometimes marks parcels as delivered a little early and they turn up the next day, so "
                    "it's worth giving it until the end of tomorrow. If it still hasn't appeared by then, reply here "
                    "and I'll send a replacement straight away, no need to wait for the carrier investigation.",
                ],
            ),
            (
                [
                    "I ordered a {product} {days} days ago and haven't received a shipping confirmation yet.",
                    'My order {order} is still showing as "Processing". Is that normal?',
                    "Just wondering when order {order} is going to ship, I haven't heard anything since the order "
                    "confirmation.",
                ],
                [
                    "The {product} was on backorder when you ordered, which should have been flagged at checkout, and "
                    "I'm sorry it wasn't clearer. Our next delivery from the supplier arrives on {date2} and your order "
                    "is near the front of the queue, so it should ship by {date3}.",
                    "Order {order} was held by our payment check because the billing and shipping addresses didn't "
                    "match, which often happens with gifts and work addresses. I've verified it manually and released "
                    "it, so it'll ship today.",
                ],
            ),
        ],
        "detail": [
            "I need it before I travel on {date3}.",
            "It's for a new hire who starts on Monday, so the timing matters.",
            "It was meant to be a birthday present.",
            "I paid extra for express shipping.",
            "The estimated delivery date on the order page keeps moving.",
            "I haven't had any emails from {carrier} either.",
            "I've ordered from you before and never had this happen.",
        ],
        "ask": [
            "Can you tell me where it actually is?",
            "Could you find out what's going on and give me a realistic delivery date?",
            "If it's lost, can you send a replacement or refund me?",
            "Should I be contacting {carrier} instead?",
            "What are my options at this point?",
            "Can you give me an update?",
        ],
        "extra": [
            "I've also refunded the {ship_fee} express shipping charge, since it didn't arrive when we promised.",
            'You can follow it at any time under Account > Orders > "Track package".',
            "If nothing has arrived by {date3}, reply to this email and I'll send a replacement or a full refund, "
            "whichever you prefer.",
            "I've added a note to your account, so whoever picks up your next message will have the full history.",
        ],
    },
    "refund": {
        "scenarios": [
            (
                [
                    "I sent back the {product} from order {order} on {date} and still haven't seen the refund.",
                    "Your return portal says my return for {order} was received on {date2}, but there's no refund yet.",
                    "Where is my refund? I returned the {product} almost three weeks ago.",
                ],
                [
                    "The return for {order} was checked in on {date2} and the refund of {price} was issued today to "
                    "your card ending in {last4}. Banks usually take 3-5 business days to show it, so it should appear "
                    "by {date3}.",
                    "I can see the return was received, but it was waiting on an inspection step that shouldn't apply "
                    "to unopened items. I've pushed it through and refunded {price} to the original payment method. "
                    "You'll get a confirmation email within the hour.",
                ],
            ),
            (
                [
                    "I cancelled order {order} about an hour after placing it, but the {price} charge is still on my "
                    "card.",
                    "My order was cancelled but I was still charged {price}.",
                ],
                [
                    "What you're seeing is a pending authorisation, not a completed charge. We released it on our side "
                    "the day you cancelled, and most banks drop it within 5-7 business days. If it's still there after "
                    "{date3}, let me know and I'll send you a release letter for your bank.",
                    "The cancellation went through, but the payment had already been captured, so it needed a manual "
                    "refund. I've just issued {price} back to your card ending in {last4}. It normally shows up within "
                    "3-5 business days.",
                ],
            ),
            (
                [
                    "I'd like a refund for the {product} I bought last week. It's just not what I expected.",
                    "Can I get my money back for the {product}? It doesn't really suit my setup.",
                    "I bought the {product} on {date} and I've decided I don't need it. Can I still return it for a "
                    "refund?",
                ],
                [
                    "Of course. You're within our 30-day return window, so I've created a prepaid return label and "
                    "sent it to your email. Once the parcel is scanned by the carrier, we'll refund {price} to your "
                    "original payment method, usually within 2 business days.",
                    'Yes, you\'re still within the 30-day window. Go to Account > Orders, click "Return item" next to '
                    "the {product}, and print the label. Please include all the original accessories. The refund is "
                    "issued as soon as the warehouse checks it in.",
                ],
            ),
            (
                [
                    "The {product} I ordered dropped by {drop} two days after I bought it. Do you do price matching?",
                    "I saw the {product} on sale for {drop} less a few days after I paid full price.",
                ],
                [
                    "We honour price drops within 14 days of purchase, so I've refunded the difference of {drop} to "
                    "your card ending in {last4}. You don't need to do anything else.",
                    "Yes, our price protection covers 14 days. I've applied a {drop} refund to order {order}, and "
                    "you'll get an email confirmation shortly.",
                ],
            ),
        ],
        "detail": [
            "I paid with my credit card ending in {last4}.",
            "I've already checked with my bank and nothing is pending.",
            "This is the first time I've had to ask you for a refund.",
            "The order number is {order}.",
            "I'd prefer the money back on my card rather than store credit.",
        ],
        "ask": [
            "When will I see the money?",
            "Can you confirm the refund amount?",
            "Could you process this as soon as possible?",
            "Do I need to do anything else?",
            "Can you look into it and let me know?",
            "Is there a reference number I can give my bank?",
        ],
        "extra": [
            'Your order history will show the refund as "Completed" once it\'s gone through.',
            "If your bank needs a reference, the refund ID is {refund_id}.",
            "Store credit is also an option if you'd prefer it: it's instant and includes an extra 10%.",
            "I've emailed you a copy of the refund receipt for your records.",
        ],
    },
    "return_exchange": {
        "scenarios": [
            (
                [
                    "I'd like to exchange my {product} for a different colour. The one I got doesn't match my desk at "
                    "all.",
                    "Is it possible to swap the {product} for the bigger version? Order {order}.",
                    "The {product} works fine but I ordered the wrong model. Can I exchange it instead of returning it?",
                ],
                [
                    "Absolutely. I've set up an exchange on order {order}. The new one ships as soon as the carrier "
                    "scans your return, so you won't be without one for long. The prepaid label is in your inbox.",
                    "Sure thing, exchanges are free within 30 days. I've reserved the new item for you and emailed a "
                    "return label for the original. If there's a price difference, we'll either refund it or send you "
                    "a payment link.",
                ],
            ),
            (
                [
                    (
                        "The return label you sent for order {order} won't print. It just opens a blank page.",
                        0,
                    ),
                    ("The link to my return label for {order} says it has expired.", 0),
                    (
                        "The QR code on my return label isn't being accepted at the {carrier} drop-off point.",
                        1,
                    ),
                    ("The {carrier} store told me they couldn't scan the return code on my phone.", 1),
                ],
                [
                    "Sorry about that. Label links expire after 7 days, which is probably what happened. I've "
                    "generated a fresh one and attached it as a PDF, so there's no link to expire this time.",
                    "The drop-off location should be able to scan it, but some {carrier} locations only accept "
                    "printed labels. I've emailed you a printable PDF, and you can also drop it at any {carrier} store "
                    "instead.",
                ],
            ),
            (
                [
                    "I know it's been a bit more than 30 days, but can I still return the {product}? I was travelling "
                    "and couldn't send it back earlier.",
                    "I bought the {product} on {date} and only just opened it. Is it too late to return it?",
                ],
                [
                    "Our standard window is 30 days, but since it's only a few days over and the item is unopened, "
                    "I've made an exception and approved the return. The label is in your inbox, and it'll be refunded "
                    "as store credit once it arrives.",
                    "It's a little past the window, but I've approved the return as a one-off. Please just make sure "
                    "everything goes back in the original packaging.",
                ],
            ),
        ],
        "detail": [
            "It's still in the original box.",
            "I've only used it a couple of times.",
            "The packaging is a bit torn from opening it, but the product itself is fine.",
            "I don't have a printer at home, if that matters.",
            "I'm happy to pay for return shipping if I need to.",
        ],
        "ask": [
            "What's the easiest way to do this?",
            "How do I go about it?",
            "Can you send me whatever I need?",
            "Is that possible?",
            "What do I need to do next?",
        ],
        "extra": [
            "You can see the status of the return under Account > Returns at any time.",
            "Once it's checked in, you'll get an email from us within one business day.",
            'If you don\'t have a printer, choose "Label-free return" and show the QR code at the drop-off point.',
            "Just pop the packing slip inside the box so the warehouse can match it up quickly.",
        ],
    },
    "damaged_item": {
        "scenarios": [
            (
                [
                    "My {product} arrived today with a cracked base. The box was dented on one corner, so I think it "
                    "was dropped in transit.",
                    "The {product} from order {order} came broken. There's a big scratch across the top and one of the "
                    "screws is missing.",
                    "Opened the box and the {product} was in pieces. Pretty disappointing.",
                ],
                [
                    "I'm so sorry it arrived like that. There's no need to send the damaged one back: I've shipped a "
                    "replacement on order {order2}, which should be with you by {date3}. If you could recycle the "
                    "damaged one, that would be great.",
                    "That's not the condition it should have arrived in, and I'm sorry. Could you reply with a photo "
                    "of the damage and the outside of the box? As soon as I have that, I'll send a replacement by "
                    "express shipping at no cost.",
                ],
            ),
            (
                [
                    "The {product} is missing the hardware bag, so I can't assemble it.",
                    "I received the {product} but some of the parts listed in the manual weren't in the box.",
                ],
                [
                    "Thanks for letting us know. I've sent the missing parts separately by {carrier} with tracking, "
                    "and they should arrive in 2-3 business days. You don't need to return anything.",
                    "Sorry about that, they must have been missed at packing. Replacement parts are on their way today, "
                    "and I've added the tracking link to your order page.",
                ],
            ),
        ],
        "detail": [
            "I've attached photos of the box and the product.",
            "The outer box looked fine, which is weird.",
            "I need this for work, so a quick fix would be great.",
            "It's the second time this has happened with an order from you.",
            "I haven't thrown away any of the packaging yet.",
        ],
        "ask": [
            "Can you send a replacement?",
            "What should I do with the broken one?",
            "Do I need to send it back?",
            "Could you get this sorted quickly?",
            "I'd prefer a replacement rather than a refund, if possible.",
        ],
        "extra": [
            "I've flagged the delivery with {carrier} so they can look into how parcels are handled in your area.",
            "If the replacement has any issues at all, reply here and I'll make it right.",
            "I've also added a {amount} credit to your account for the trouble.",
            "Our packaging team has been told, so we can look at how this product is boxed.",
        ],
    },
    "wrong_item": {
        "scenarios": [
            (
                [
                    "I ordered the {product} but received a {product2} instead.",
                    "You sent me the wrong item. Order {order} was for a {product}, and what arrived is a {product2}.",
                    "Got my parcel today but it's not what I ordered, it's a {product2}.",
                ],
                [
                    "Sorry for the mix-up. It looks like two orders were swapped at packing. I've shipped the "
                    "{product} today by express delivery, and there's a prepaid return label for the {product2} in "
                    "your inbox. Please send it back within 14 days.",
                    "Apologies, that's a picking error on our side. Your {product} is on its way now, and the tracking "
                    "link will follow by email. You're welcome to keep the {product2} or donate it, as return shipping "
                    "would cost more than it's worth.",
                ],
            ),
            (
                [
                    "I ordered two of the {product} but only one arrived.",
                    "My order {order} was supposed to contain three items but only two were in the box.",
                ],
                [
                    "I checked the packing record and the missing item was never scanned into the box, so this is "
                    "definitely on us. It's shipping separately today.",
                    "The missing item was split into a second parcel because it ships from a different warehouse. It's "
                    "due on {date3}. Sorry we didn't make that clear in the shipping email.",
                ],
            ),
        ],
        "detail": [
            "The packing slip inside has my name on it, so it's not a neighbour's parcel.",
            "I need the right one fairly urgently.",
            "I haven't opened the item that came by mistake.",
            "I'm happy to send the wrong one back, but I'm not paying for the shipping.",
            "This is for our office, so the invoice will need to be right too.",
        ],
        "ask": [
            "How do we fix this?",
            "Can you send the correct one?",
            "What do you need me to do with the wrong item?",
            "Can you ship the right one today?",
            "Please advise.",
        ],
        "extra": [
            "I've added a note to the order so the invoice reflects what you actually received.",
            "You'll get a tracking link by email as soon as {carrier} scans the parcel.",
            "Thanks for your patience while we fix our mistake.",
            "I've also refunded the shipping cost on this order.",
        ],
    },
    "shipping_address": {
        "scenarios": [
            (
                [
                    "I just placed order {order} and realised I used my old address. Can I change it?",
                    "Is it possible to update the delivery address for {order}? I'm moving this weekend.",
                    "I need to send order {order} to my office instead of my home address.",
                ],
                [
                    "Good timing, it hadn't been packed yet, so I've updated the shipping address on {order}. You'll "
                    "get an updated confirmation email in a few minutes.",
                    "The parcel has already been handed to {carrier}, so I can't change it on our side, but you can "
                    'redirect it for free from the {carrier} tracking page using the "Change delivery" option. If that '
                    "doesn't work, let me know and I'll ask {carrier} to return it to us so we can reship it.",
                ],
            ),
            (
                [
                    "Do you ship the {product} to {country}? The checkout doesn't list it.",
                    "I'm moving to {country} next month. Will I still be able to order from your store?",
                ],
                [
                    "We currently ship to the US, Canada, the UK and most of the EU. {country} isn't on the list yet, "
                    "but I've passed your request to our logistics team, who review new countries every quarter.",
                    "Unfortunately {country} isn't one of our shipping destinations yet. Some customers use a parcel "
                    "forwarding service, but please note that our warranty only covers delivery to supported countries.",
                ],
            ),
            (
                [
                    "I was charged customs fees of {amount} on delivery in {eu_country}. I thought duties were "
                    "included.",
                    "The courier asked me for {amount} in import charges before handing over my {product}.",
                ],
                [
                    "Orders to {eu_country} should have duties prepaid at checkout, so you shouldn't have been charged "
                    "on delivery. Please send me the customs receipt and I'll refund the {amount} in full.",
                    "You're right that duties are included in our prices for EU orders. It looks like the courier "
                    "billed you by mistake. If you forward the receipt, I'll reimburse you and take it up with them.",
                ],
            ),
            (
                [
                    ("Can you deliver to a PO box? My building doesn't accept parcels.", 0),
                    (
                        "I'd like my order sent to my PO box, because parcels keep getting stolen from my porch.",
                        0,
                    ),
                    (
                        "Is there a way to add delivery instructions to my order? The driver can never find our entrance.",
                        1,
                    ),
                    ("Can I leave a note for the courier? Our unit is at the back of the building.", 1),
                ],
                [
                    "Most of our products ship with UPS or FedEx, which can't deliver to PO boxes, but USPS can for "
                    "smaller items. If you reply with the PO box, I'll switch your order to USPS at no extra cost.",
                    'You can add delivery notes at checkout under "Delivery instructions", and for orders already '
                    "placed I can add them for you. I've added your note to order {order}, so the driver will see it "
                    "on their device.",
                ],
            ),
        ],
        "detail": [
            "I won't be at the old address after Friday.",
            "The new address is in the same city, if that helps.",
            "Happy to pay any difference in shipping.",
            "I've already updated the address in my account settings.",
            "There's a concierge at the new place who can sign for it.",
        ],
        "ask": [
            "Can you make that change?",
            "Is that possible at this stage?",
            "What are my options?",
            "Can you let me know either way?",
            "Could you confirm once it's done?",
        ],
        "extra": [
            "Remember to update your default address under Account > Addresses so future orders go to the right place.",
            "I've sent you a confirmation email with the updated details.",
            "Delivery estimates are the same as before, so no delay is expected.",
            "If anything else needs changing before it ships, just let me know today.",
        ],
    },
    "promo_code": {
        "scenarios": [
            (
                [
                    'The code {promo} isn\'t working at checkout. It says "This code is not valid for your cart".',
                    "I got {promo} in your newsletter but the checkout rejects it.",
                    "Your discount code {promo} gives an error when I try to use it on the {product}.",
                ],
                [
                    "That code excludes items that are already on sale, and the {product} is currently discounted, "
                    "which is why it was rejected. The sale price is actually lower than the code would give you, so "
                    "you're already getting the better deal.",
                    "It looks like {promo} was a single-use code, and it was already applied to an earlier order of "
                    "yours on {date}. As a goodwill gesture, I've created a new one-time code for {pct}% off. It's in "
                    "your inbox and valid for 30 days.",
                ],
            ),
            (
                [
                    "I forgot to enter my {pct}% discount code before paying for order {order}. Can you still apply "
                    "it?",
                    "I placed an order yesterday and only realised afterwards that I had a welcome discount.",
                ],
                [
                    "No problem, I've applied the {pct}% discount retroactively and refunded {discount} to your card "
                    "ending in {last4}.",
                    "We can apply codes up to 7 days after purchase, so I've refunded the difference of {discount} to "
                    "your original payment method.",
                ],
            ),
        ],
        "detail": [
            "I'm a returning customer, if that makes a difference.",
            "The code was in an email I received on {date}.",
            "I tried it in the app and on the website, same result.",
            "The newsletter didn't mention any exclusions.",
            "I have a screenshot of the email if you need it.",
        ],
        "ask": [
            "Can you help me use it?",
            "Is there anything you can do?",
            "Can you apply it manually?",
            "Why isn't it working?",
            "What's the best way to get the discount?",
        ],
        "extra": [
            "You'll see the updated total on your order page within a few minutes.",
            "Promo terms are linked at the bottom of each newsletter if you ever want to check exclusions.",
            "I've also added you to our early-access list for the next sale.",
            "Keep an eye on your inbox for a confirmation email.",
        ],
    },
    "password_reset": {
        "scenarios": [
            (
                [
                    "I've tried resetting my password three times and the reset email never arrives.",
                    'I clicked "Forgot password" but I\'m not getting any email, not even in spam.',
                    "I'm locked out of my Tidewell Cloud account because the password reset link never shows up.",
                ],
                [
                    "I checked our mail logs and the reset emails were being rejected by your company's mail server as "
                    "bulk mail. The quickest fix is to ask your IT team to allowlist our sending domain. In the "
                    "meantime, I've sent a one-time login link to the address on the account.",
                    "Your account is registered under a slightly different address, with a dot in the middle of the "
                    "name, which is why the reset emails weren't arriving. I've sent a reset link to the address we "
                    "have on file. You can change it under Settings > Profile once you're in.",
                ],
            ),
            (
                [
                    'The password reset link says "This link has expired" even though I clicked it straight away.',
                    'Every time I use the reset link I get "Invalid token".',
                ],
                [
                    "Some email security scanners open links before you do, which uses up the one-time token. I've "
                    "generated a new link that stays valid for 60 minutes. Please try it like this:\n"
                    "1. Open the email on the device you want to use\n"
                    "2. Copy the link into a private or incognito window\n"
                    "3. Set your new password, then sign in as normal",
                    "This usually happens when more than one reset was requested, because only the newest link works. "
                    "Please delete the older emails and use the most recent one. If it still fails, reply here and "
                    "I'll reset it manually.",
                ],
            ),
            (
                [
                    "My account got locked after too many login attempts. How long until I can try again?",
                    'It says "Account temporarily locked" and I need to get in for a client meeting in an hour.',
                ],
                [
                    "Accounts unlock automatically after 30 minutes, but I've cleared the lock so you can sign in "
                    'right away. If you\'re not sure of the password, use "Forgot password" rather than guessing, '
                    "since five wrong attempts will lock it again.",
                    "I've unlocked the account. For security, I'd recommend resetting your password once you're in, "
                    "because some of the failed attempts didn't come from your usual location.",
                ],
            ),
        ],
        "detail": [
            "I'm using {browser} on {os}.",
            "I've checked the spam and promotions folders.",
            "My company uses Outlook, in case that matters.",
            "I can still log in on my phone, just not on my laptop.",
            "Our workspace is {workspace}.",
        ],
        "ask": [
            "Can you reset it for me?",
            "How do I get back into my account?",
            "Can you help me regain access?",
            "Is there another way to verify who I am?",
            "What should I try next?",
        ],
        "extra": [
            'Next time, you can turn on "Sign in with Google" or "Sign in with Microsoft" under Settings > Security, '
            "which avoids password resets entirely.",
            "If you manage a team, admins can also reset member passwords from the Admin console.",
            "Please don't share reset links with anyone, including our team.",
            "Once you're in, I'd suggest adding a backup email under Settings > Profile.",
        ],
    },
    "two_factor": {
        "scenarios": [
            (
                [
                    "I got a new phone and my authenticator app didn't transfer, so I can't get past the two-factor "
                    "screen.",
                    "I lost my phone over the weekend and now I can't log into Tidewell Cloud because of 2FA.",
                    "My 2FA codes stopped working after I reset my phone.",
                ],
                [
                    "I can help with that. For security, we need to confirm it's really you before removing 2FA, so "
                    "I've sent a verification request to the account email. Once you approve it, 2FA will be switched "
                    "off for 24 hours so you can sign in and set it up again on your new phone.",
                    "If you saved your backup codes when you set up 2FA, any of them will work on the sign-in screen "
                    'under "Use a backup code". If not, your workspace admin can reset 2FA for you from Admin > '
                    "Members > Security, which is usually faster than going through us.",
                ],
            ),
            (
                [
                    "My authenticator codes are always rejected, even though I type them in before they expire.",
                    'The six-digit code from Google Authenticator keeps saying "Invalid code".',
                ],
                [
                    "This is almost always caused by the phone's clock being slightly off. Codes are time-based, so "
                    'even a minute of drift breaks them. On Android, open Google Authenticator > Settings > "Time '
                    'correction for codes" > "Sync now". On iPhone, make sure Settings > General > Date & Time > "Set '
                    'Automatically" is on.',
                    "Please check that your phone's time is set automatically, as a small clock difference makes every "
                    "code fail. If that's already on, remove the Tidewell entry from the app and scan a fresh QR code "
                    "from Settings > Security after signing in with a backup code.",
                ],
            ),
            (
                [
                    "As an admin, how do I make 2FA mandatory for everyone in our workspace?",
                    "We need to require two-factor authentication for all {seats} members of {workspace} for our SOC 2 "
                    "audit.",
                ],
                [
                    'You can enforce it under Admin > Security > "Require two-factor authentication". When you switch '
                    "it on, existing members get a 7-day grace period and a banner asking them to set it up. After "
                    "that, they can't sign in until they do.",
                    'That\'s available on the Team plan and above. Go to Admin > Security, turn on "Require 2FA", and '
                    "choose a grace period. You can see who has set it up under Admin > Members using the 2FA filter.",
                ],
            ),
        ],
        "detail": [
            "I don't have the backup codes, I didn't realise I needed to save them.",
            "I've asked our workspace admin, but they weren't sure how to reset it.",
            "I'm using Microsoft Authenticator.",
            "This is stopping me from doing my job today.",
            "We're on the {plan} plan.",
        ],
        "ask": [
            "How can I get back in?",
            "What's the process?",
            "Can you turn it off temporarily?",
            "Could you walk me through it?",
            "What do you recommend?",
        ],
        "extra": [
            "Once you're back in, please save your new backup codes somewhere safe, such as a password manager.",
            "We never ask for your 2FA codes over email or chat, so please don't send them.",
            'Our help centre article "Setting up two-factor authentication" has screenshots for each authenticator app.',
            "Passkeys are also supported now if you'd prefer not to use codes at all.",
        ],
    },
    "billing_charge": {
        "scenarios": [
            (
                [
                    "I was charged twice for my {plan} subscription this month, {bill} each time.",
                    "My card statement shows two identical charges of {bill} from Tidewell on {date}.",
                    "Why have I been billed twice? I only have one workspace.",
                ],
                [
                    "You're right: our billing system retried a payment that had actually succeeded, so you were "
                    "charged twice. I've refunded the duplicate {bill} to your card ending in {last4}, and it should "
                    "show within 5 business days. Sorry about that.",
                    "I looked at the payment history, and the second charge is a pending authorisation from when you "
                    "updated your card on {date}. It was never captured and will drop off your statement automatically "
                    "within a few days. You've only been billed once.",
                ],
            ),
            (
                [
                    "I was charged {amount} this month but my plan is supposed to cost less than that.",
                    "There's a charge for {amount} on my card that I don't recognise. Can you explain it?",
                    "Our invoice went up this month and nobody on our team changed anything.",
                ],
                [
                    "The difference comes from the {seats} seats that were added on {date}. We bill new seats pro rata "
                    "for the rest of the billing cycle, which is why this month is higher. You can see the breakdown "
                    'under Admin > Billing > "Invoices".',
                    "The charge is the annual renewal for {workspace}, which renewed on {date}. If you meant to switch "
                    "to monthly billing, I can refund the annual charge and set you up on monthly instead, since it's "
                    "within our 14-day window.",
                ],
            ),
            (
                [
                    "I keep getting emails saying my payment failed, but my card is fine.",
                    'Our workspace is showing a "Payment overdue" banner, even though we updated the card last week.',
                ],
                [
                    'The bank declined the charge with a "do not honour" code, which usually means their fraud filter '
                    'blocked it. Please let your bank know to expect a payment from Tidewell, then click "Retry '
                    "payment\" under Admin > Billing. Your workspace won't be restricted while we sort this out.",
                    "The new card was saved, but the overdue invoice was still trying the old one. I've re-run the "
                    "invoice on the new card and it went through, so the banner should disappear within a few minutes.",
                ],
            ),
        ],
        "detail": [
            "I'm the billing owner for our account.",
            "Our finance team needs this resolved before the end of the month.",
            "The card ends in {last4}.",
            "We're on the {plan} plan with {seats} seats.",
            "I haven't received any invoice for this charge.",
        ],
        "ask": [
            "Can you look into it and refund anything that's wrong?",
            "Could you explain what happened?",
            "Can you fix this?",
            "Please confirm what we actually owe.",
            "What should I do?",
        ],
        "extra": [
            'You can download every invoice as a PDF under Admin > Billing > "Invoices".',
            "To avoid surprises, you can turn on billing alerts in Admin > Billing so you're emailed before any charge "
            "over a set amount.",
            "I've added a note to the account in case your finance team contacts us about this.",
            'If your bank asks, our statement descriptor is "TIDEWELL*CLOUD".',
        ],
    },
    "invoice": {
        "scenarios": [
            (
                [
                    "Can you add our company name and VAT number to the invoices? We need them for our accounts.",
                    "Our accountant says the invoice for {date} is missing our tax ID.",
                    "I need an invoice with our billing address on it for order {order}.",
                ],
                [
                    'You can add these yourself under Admin > Billing > "Billing details", and they\'ll appear on '
                    "every invoice from now on. I've also regenerated invoice {invoice} with the new details and "
                    "emailed it to you.",
                    "I've updated the billing profile with your company name and tax ID and re-issued invoice "
                    "{invoice}. The original is now marked as void, so please use the new one for your records.",
                ],
            ),
            (
                [
                    ("Where can I download invoices for the last six months?", 0),
                    ("I can't find our subscription invoices anywhere in the app.", 0),
                    ("I need a copy of the receipt for my {product} order for an expense claim.", 1),
                    ("Could you resend the receipt for order {order}? I deleted the email.", 1),
                ],
                [
                    'All invoices are under Admin > Billing > "Invoices", and there\'s a "Download all" button at the '
                    "top that gives you a ZIP of PDFs. Only workspace owners and billing admins can see that page, so "
                    "if it's missing, check your role under Admin > Members.",
                    "I've attached the receipt for order {order} as a PDF. For future orders, you can download receipts "
                    'under Account > Orders by opening the order and clicking "Download receipt".',
                ],
            ),
            (
                [
                    "Our finance team can only pay by bank transfer against a PO. Is that possible?",
                    "Can we be invoiced annually instead of paying by card?",
                ],
                [
                    "Yes, invoice billing is available on annual plans with 10 or more seats. I've asked our billing "
                    "team to set it up; they'll send a quote with our bank details and payment terms (net 30) within "
                    "one business day.",
                    "We can do that. Please send the PO number and the billing contact, and we'll issue invoice "
                    "{invoice} with net 30 terms. Card payments will be switched off for your workspace once the first "
                    "invoice is paid.",
                ],
            ),
        ],
        "detail": [
            "Our financial year ends next week.",
            "We're based in {eu_country}, so the reverse charge note needs to be on there.",
            "The invoice needs to be addressed to our parent company.",
            "We're on the {plan} plan.",
            "I've checked the billing page but can't see an option for this.",
        ],
        "ask": [
            "Can you help?",
            "How do we set this up?",
            "Could you send the corrected invoice?",
            "Is that something you can do?",
            "What do you need from us?",
        ],
        "extra": [
            "Invoices are issued in USD by default, but EUR and GBP are available on request.",
            "If your accounts team needs our W-9 or company registration documents, just let me know.",
            "The billing contact on file will receive all future invoices automatically.",
            "Invoices for past months can be re-issued at any time if your details change.",
        ],
    },
    "subscription": {
        "scenarios": [
            (
                [
                    (
                        "We'd like to move from the {plan} plan to {plan2}. How does billing work if we switch mid-month?",
                        0,
                    ),
                    ("If we change plans halfway through the month, do we pay for both?", 0),
                    ("Can I change from {plan} to {plan2} without losing our project history?", 1),
                    ("What happens to our data if we switch from {plan} to {plan2}?", 1),
                ],
                [
                    "When you switch plans mid-cycle, we credit the unused part of your current plan and charge the "
                    "new plan pro rata, so you only pay for what you use. You can make the change yourself under "
                    'Admin > Billing > "Change plan", and it takes effect immediately.',
                    "Nothing is deleted when you change plans. Features that aren't included in {plan2} become "
                    "read-only, and they come back as soon as you switch again. The price change applies from your "
                    "next billing date.",
                ],
            ),
            (
                [
                    ("How do I add {seats} more seats to our workspace?", 0),
                    (
                        "We're hiring {seats} new people next month. How do we get them set up, and how are they billed?",
                        0,
                    ),
                    (
                        "We have {seats} people who have left the company. How do I stop paying for their seats?",
                        1,
                    ),
                    (
                        "How do we remove users who no longer need access? We're paying for {seats} unused seats.",
                        1,
                    ),
                ],
                [
                    'Admins can add seats under Admin > Members > "Invite". Each new member is billed pro rata for '
                    "the rest of the cycle. On an annual plan, the extra seats are added to your next invoice instead "
                    "of being charged immediately.",
                    'Remove them under Admin > Members by clicking "..." > "Deactivate". Their seats are freed up '
                    "straight away and your next invoice will reflect the lower count. Their tasks and comments stay "
                    "in the workspace, so you won't lose any history.",
                ],
            ),
            (
                [
                    ("Our trial ends on {date3}. Can we extend it? We haven't finished evaluating.", 0),
                    ("Is it possible to get a few more weeks on our trial?", 0),
                    ("What happens when our free trial runs out? Will we be charged automatically?", 1),
                    ("Do we need to cancel before the trial ends to avoid being billed?", 1),
                ],
                [
                    "I've extended your trial by 14 days. If you'd like a guided walkthrough for your team, I can set "
                    "up a call with one of our onboarding specialists.",
                    "No card was added during signup, so you won't be charged. When the trial ends, the workspace "
                    "switches to the free plan, which keeps all your data but limits you to 3 projects. You can upgrade "
                    "at any time to unlock everything again.",
                ],
            ),
        ],
        "detail": [
            "We have {seats} people on the team right now.",
            "We're billed annually.",
            "Our budget for this is approved until the end of the quarter.",
            "I'm not the account owner, but I have admin rights.",
            "We're comparing you with a couple of other tools.",
        ],
        "ask": [
            "Can you explain how that works?",
            "What's the best way to do this?",
            "Can you make the change for us?",
            "Will anything break if we do this?",
            "How much will it cost?",
        ],
        "extra": [
            "You can preview the cost of any plan change before confirming it.",
            "Annual plans save 20% compared with monthly billing, if that's useful.",
            'All plan features are compared on our pricing page under "Compare plans".',
            "If your team grows quickly, the Business plan includes volume pricing from 50 seats.",
        ],
    },
    "cancellation": {
        "scenarios": [
            (
                [
                    ("Please cancel our {plan} subscription at the end of the current billing period.", 0),
                    ("We've decided to move to another tool, so I'd like to cancel {workspace}.", 0),
                    ("How do I cancel my subscription? I can't find the option anywhere.", 1),
                    ("There's no cancel button in my billing settings. How am I supposed to cancel?", 1),
                ],
                [
                    "I've scheduled the cancellation for the end of your billing period, so you'll keep full access "
                    "until then and won't be charged again. If you change your mind before that date, you can undo it "
                    "under Admin > Billing.",
                    "Only the workspace owner can cancel, which is why the option isn't showing for you. The owner can "
                    'do it under Admin > Billing > "Cancel subscription". If the owner has left your company, reply '
                    "with a note from someone authorised and I'll transfer ownership to you.",
                ],
            ),
            (
                [
                    "I cancelled last month but I've just been charged {bill} again.",
                    "Why was I charged after I cancelled? I have the confirmation email.",
                ],
                [
                    "I can see the cancellation request, but it was submitted a day after the renewal date, so the "
                    "renewal went through. Since you haven't used the workspace since, I've refunded the {bill} in "
                    "full.",
                    "The cancellation was applied to a different workspace under the same login, which is why this "
                    "one renewed. I've cancelled the right one now and refunded {bill} to your card ending in "
                    "{last4}.",
                ],
            ),
            (
                [
                    "Is there a way to pause our subscription for a couple of months instead of cancelling? We're a "
                    "seasonal business.",
                    "Can I put my account on hold while I'm on parental leave?",
                ],
                [
                    "Yes, you can pause for up to 3 months. During that time your data is kept safe, nobody can edit "
                    "it, and you won't be billed. I've set the pause to start at your next billing date.",
                    "We can do that. Paused workspaces are read-only and free for up to 90 days. Just let me know the "
                    "date you'd like it to start and I'll schedule it.",
                ],
            ),
        ],
        "detail": [
            "We're a small team and the price went up beyond what we can justify.",
            "The tool is great, we just don't need it anymore.",
            "We'd like to keep our data, if possible.",
            "I'm the account owner.",
            "Our contract with you is month to month.",
        ],
        "ask": [
            "Can you confirm once it's done?",
            "Please make sure we aren't charged again.",
            "What do I need to do?",
            "Will we lose our data?",
            "Can you handle this for me?",
        ],
        "extra": [
            "You can export all your projects before the end date under Settings > Export.",
            "We keep data for 60 days after cancellation in case you want to come back.",
            "If there's anything we could have done better, I'd genuinely like to hear it.",
            "You'll get a confirmation email with the end date for your records.",
        ],
    },
    "bug_report": {
        "scenarios": [
            (
                [
                    "The {feature} has been broken since the update on {date}. It just shows a spinner forever.",
                    "Since version {app_version}, opening the {feature} crashes the desktop app every time.",
                    'Whenever I try to use the {feature}, I get an error that says "{error_code}".',
                ],
                [
                    "Thanks for the detailed report. This is a known issue introduced in {app_version} that affects "
                    "the {feature}. Our engineers have a fix ready, and it's going out in {app_version2} later this "
                    "week. Until then, using the web app in a private window avoids the problem.",
                    "I was able to reproduce this on my side, so I've logged it with our engineering team as {bug}. As "
                    'a workaround, clearing the app cache (Settings > Advanced > "Clear local cache") and restarting '
                    "fixes it for most people. I'll update you as soon as the fix is released.",
                ],
            ),
            (
                [
                    ("Changes I make on my phone aren't showing up in the desktop app.", 0),
                    ("Comments I post in {workspace} disappear after I refresh the page.", 0),
                    ("Tasks I create keep vanishing overnight. This is really worrying.", 1),
                    ("Several of our tasks have disappeared from the board and nobody deleted them.", 1),
                ],
                [
                    "I checked your account and the changes were saved on our servers, but your app was stuck on an old "
                    "sync token. Signing out and back in forces a full resync. If that doesn't help, send me "
                    'the log file from Help > "Export diagnostics" and I\'ll dig deeper.',
                    "I understand why that's worrying, but nothing has been lost. Those items were moved by an "
                    "automation rule in {workspace} that archives anything without a due date. You'll find them under "
                    "Archive, and you can edit or turn off the rule under Settings > Automations.",
                ],
            ),
            (
                [
                    "The web app has been incredibly slow for the last few days. It takes about 20 seconds to load a "
                    "board.",
                    "Our dashboards take forever to load since we passed about 200 projects.",
                ],
                [
                    "We had a performance regression in one of our database regions on {date2}, which has now been "
                    "fixed, so load times should be back to normal. If you're still seeing delays, please run the "
                    'check at Help > "Connection test" and send me the result.',
                    "Large dashboards with many unfiltered widgets can get slow. I'd recommend adding a project filter "
                    "to each widget. Our engineers are also working on an update that caches dashboard data, which "
                    "should make a big difference.",
                ],
            ),
        ],
        "detail": [
            "I'm on {os} using {browser}.",
            "The desktop app version is {app_version}.",
            "My colleagues are seeing the same thing.",
            "I've tried logging out and back in, no change.",
            "It started happening after the last update.",
        ],
        "ask": [
            "Is this a known issue?",
            "Is there a workaround?",
            "When will it be fixed?",
            "Can you look into it?",
            "What information do you need from me?",
        ],
        "extra": [
            "You can follow the status of known issues on our status page.",
            "If you want early access to fixes, you can join the beta channel under Settings > Advanced.",
            "I've added your workspace to the bug report, so you'll be notified automatically when it's fixed.",
            "Thanks for taking the time to report this; it really does help us fix things faster.",
        ],
    },
    "account_deletion": {
        "scenarios": [
            (
                [
                    "Please delete my account and all the data you have about me.",
                    "I'd like to close my Tidewell account permanently.",
                    "Under GDPR, I'm asking you to erase all of my personal data.",
                ],
                [
                    "I've started the deletion process. Your account is deactivated now, and all personal data will be "
                    "permanently erased within 30 days, as described in our privacy policy. Order records we're legally "
                    "required to keep for tax purposes are retained, but they're no longer linked to a profile.",
                    "Before I go ahead, please confirm the request by clicking the link I've just sent to the email "
                    "address on the account. It's a security step to make sure nobody else can delete your account. "
                    "Once you confirm, deletion is completed within 30 days and you'll get a final confirmation.",
                ],
            ),
            (
                [
                    "We're shutting down our company and need {workspace} and all its data deleted.",
                    "How do I delete our whole workspace, not just my user?",
                ],
                [
                    'Workspace owners can delete it under Admin > Settings > "Delete workspace". You\'ll be asked to '
                    "type the workspace name to confirm. The deletion becomes final after a 14-day grace period, during "
                    "which you can still restore it.",
                    "I can do that for you once the workspace owner confirms in writing. Any remaining paid time is "
                    "refunded pro rata, and everything, including attachments, is permanently deleted after 14 days.",
                ],
            ),
            (
                [
                    "I don't want to delete my account, I just want to stop getting marketing emails.",
                    "How do I stop you from using my data for marketing?",
                ],
                [
                    "I've unsubscribed you from all marketing emails. You'll still receive order and security emails, "
                    "which we're required to send. You can change these settings at any time under Account > "
                    "Notifications.",
                    "You can opt out of all marketing under Account > Privacy. I've also switched it off on our side, "
                    "so it takes effect right away instead of within 48 hours.",
                ],
            ),
        ],
        "detail": [
            "I no longer use your products.",
            "I have an order that's still being delivered, in case that matters.",
            "I'm the only member of my workspace.",
            "Please confirm in writing once it's done.",
            "I'd like to download my data first.",
        ],
        "ask": [
            "Can you confirm when it's done?",
            "How long will it take?",
            "What do I need to do?",
            "Is there anything you'll keep?",
            "Please go ahead.",
        ],
        "extra": [
            'If you\'d like a copy of your data first, request an export under Account > Privacy > "Download my data".',
            'Our privacy policy explains what we retain and why, in the section "How long we keep data".',
            "Any active subscription will be cancelled automatically as part of this.",
            "If you change your mind within the next 30 days, just reply here and we can restore the account.",
        ],
    },
    "api_limits": {
        "scenarios": [
            (
                [
                    "We keep getting HTTP 429 responses from {endpoint}, even though we're nowhere near {limit} "
                    "requests per minute.",
                    'Our integration started failing with "Rate limit exceeded" this morning.',
                    "What are the API rate limits on the {plan} plan? We're hitting them constantly.",
                ],
                [
                    "The {plan} plan allows {limit} requests per minute per workspace, and the limit is shared across "
                    "all API tokens in {workspace}. Your logs show a second integration making calls at the same "
                    "time, which pushes you over. Spreading requests out, or reading the X-RateLimit-Remaining header "
                    "and pausing when it gets low, will stop the 429s.",
                    "Looking at your traffic, the 429s come from bursts: several hundred requests in the first few "
                    "seconds of each minute. The limit is enforced over a rolling window, so even though the total is "
                    "under {limit}, the burst trips it. Adding exponential backoff with jitter and honouring the "
                    "Retry-After header should fix it.",
                ],
            ),
            (
                [
                    "Can we get a higher API rate limit? We're migrating about 200,000 tasks from our old system.",
                    "Is it possible to raise our API limit temporarily for a data migration?",
                ],
                [
                    "For migrations, we can raise the limit to {limit2} requests per minute for up to 7 days, and I've "
                    "applied that to {workspace} starting now. Please use the bulk endpoint POST /v2/tasks:batch, which "
                    "accepts up to 100 tasks per request and will make the migration much faster.",
                    "We can. I've set a temporary increase to {limit2} requests per minute until the end of next week. "
                    "If you need it permanently, higher limits are included in the Business plan.",
                ],
            ),
            (
                [
                    ("The {endpoint} endpoint only ever returns 50 items. How do we get the rest?", 0),
                    ("We're only getting the first page of results from {endpoint}.", 0),
                    (
                        "Our webhook stopped receiving events after we moved to a new server. Did something get disabled?",
                        1,
                    ),
                    ("We haven't received any webhook calls since we changed our endpoint URL last week.", 1),
                ],
                [
                    "Results are paginated. Each response includes a next_cursor field, so pass it as ?cursor= on the "
                    "next request until it comes back empty. You can also raise the page size with ?limit=200, which "
                    "is the maximum.",
                    "Webhooks are disabled automatically after 24 hours of failed deliveries, which is what happened "
                    "when your endpoint changed. Update the URL under Settings > Developers > Webhooks and click "
                    '"Re-enable". Missed events from the last 72 hours can be replayed from the same page.',
                ],
            ),
        ],
        "detail": [
            "We're on the {plan} plan.",
            "The integration is a nightly sync job written in Python.",
            "This started after we added a second service that uses the API.",
            "Our production workflow depends on this.",
            "We're already retrying failed requests.",
        ],
        "ask": [
            "What can we do?",
            "Can you check our usage on your side?",
            "Is there a recommended pattern for this?",
            "Can you raise the limit for us?",
            "What's the best practice here?",
        ],
        "extra": [
            'Our API docs have a section called "Rate limits and retries" with code samples in Python and Node.',
            "You can see your current usage in real time under Settings > Developers > Usage.",
            "If you share the request IDs from the failing calls, I can trace them in our logs.",
            "We're also adding bulk-change webhooks next quarter, which should reduce the number of calls you need.",
        ],
    },
    "integrations": {
        "scenarios": [
            (
                [
                    ("Our {integration} integration keeps disconnecting every few days.", 0),
                    ("Notifications stopped appearing in {integration} on {date2}.", 0),
                    (
                        "I can't connect {integration} to our workspace. The authorisation window just closes with no error.",
                        1,
                    ),
                    ("When I click Connect for {integration}, nothing happens at all.", 1),
                ],
                [
                    "The {integration} connection uses a token tied to the person who set it up. Their account was "
                    "deactivated on {date2}, which revoked the token. Reconnect it from Settings > Integrations > "
                    "{integration} using an account that will stay active, ideally a shared admin account.",
                    "Your browser is blocking the pop-up window that completes the {integration} authorisation. Allow "
                    "pop-ups for our site, or use the desktop app, where the login opens in a normal browser tab, and "
                    "then try connecting again.",
                ],
            ),
            (
                [
                    (
                        'We\'re trying to set up SAML SSO with Okta, but users get "Invalid audience" when they sign in.',
                        0,
                    ),
                    ("Our Okta SSO test fails with an audience mismatch error.", 0),
                    ("How do we enable SSO for {workspace}? We use Microsoft Entra ID.", 1),
                    ("We'd like everyone to sign in through Microsoft Entra ID. Is that supported?", 1),
                ],
                [
                    '"Invalid audience" means the Audience URI in Okta doesn\'t match what we expect. In your Okta app '
                    'settings, set it to the value shown under Admin > Security > SSO > "Service provider entity ID", '
                    "exactly, including the trailing slash, and then try again.",
                    "SSO is available on the Business plan. Go to Admin > Security > SSO, choose Microsoft Entra ID, "
                    "and paste in the federation metadata URL from Entra. After testing with one user, you can enforce "
                    "SSO for the whole workspace.",
                ],
            ),
            (
                [
                    ('Our Zapier trigger for "New task" isn\'t firing for tasks created from templates.', 0),
                    ("Zapier doesn't pick up tasks that we create from a template.", 0),
                    ("The Zapier zap that creates tasks from our form submissions has stopped working.", 1),
                    (
                        "Zapier says our zap is turned off because of errors, and new form entries aren't turning into tasks.",
                        1,
                    ),
                ],
                [
                    'Tasks created from templates don\'t fire the "New task" trigger, which catches a lot of people '
                    'out. Use the "New task (including templates)" trigger instead, which was added in the latest '
                    "version of our Zapier app.",
                    "Zapier marked the zap as errored after our API returned a validation error: the form was sending "
                    "a due date in a format we don't accept. Mapping the field through Zapier's Formatter to an ISO "
                    "8601 date will fix it.",
                ],
            ),
        ],
        "detail": [
            "We're on the {plan} plan.",
            "I'm a workspace admin.",
            "It was working fine until last week.",
            "I've already tried disconnecting and reconnecting it.",
            "About {seats} people rely on these notifications.",
        ],
        "ask": [
            "Any idea what's going on?",
            "How do we fix it?",
            "Can you check the logs on your side?",
            "Is this a known problem?",
            "What settings should we use?",
        ],
        "extra": [
            "You can check the health of every integration under Settings > Integrations, which shows the last "
            "successful sync.",
            "Our help centre has a step-by-step guide for each integration, with screenshots.",
            "If the problem comes back, please send me the time of a failed event and I'll trace it.",
            "We're rolling out clearer error messages for integrations next month.",
        ],
    },
    "data_export": {
        "scenarios": [
            (
                [
                    "How can I export all of our projects to CSV? We need a backup.",
                    "I need to export everything from {workspace} before our contract ends.",
                    "Is there a way to get all our tasks, comments and attachments out of Tidewell Cloud?",
                ],
                [
                    'Go to Settings > Export and choose "Full export". You\'ll get an email with a download link when '
                    "it's ready. It includes CSV files for tasks and comments and a folder with all attachments. For "
                    "large workspaces it can take up to an hour.",
                    "Workspace owners can create a full export under Settings > Export. The ZIP contains one CSV per "
                    "project, a JSON file with the complete structure, and all attachments. The download link is valid "
                    "for 7 days.",
                ],
            ),
            (
                [
                    (
                        "The CSV export opens in Excel with all the accented names turned into garbage characters.",
                        0,
                    ),
                    ("Names in our export look corrupted when I open the file in Excel.", 0),
                    ('Our export has been stuck on "Preparing" for two days.', 1),
                    ("I started a full export yesterday and it still hasn't finished.", 1),
                ],
                [
                    "The file is UTF-8, but Excel assumes a different encoding when you double-click a CSV. Instead, "
                    'open Excel, go to Data > From Text/CSV, and choose "65001: Unicode (UTF-8)". You can also tick '
                    '"Excel-compatible export" in the export settings, which adds a byte-order mark so it opens '
                    "correctly.",
                    "The export job failed because of a very large attachment, and the progress screen didn't show the "
                    "error. I've restarted it without attachments over 2 GB, which are listed in a separate file so "
                    "you can download them individually.",
                ],
            ),
        ],
        "detail": [
            "We have a lot of projects, probably a few hundred.",
            "Our compliance team needs the data in a format they can audit.",
            "I'm the workspace owner.",
            "We need it by the end of the week.",
            "I tried on {browser} and it didn't help.",
        ],
        "ask": [
            "What's the best way to do this?",
            "Can you help?",
            "How long does it take?",
            "Is there an API for this instead?",
            "Can you start it from your side?",
        ],
        "extra": [
            "If you prefer automation, the /v2/exports API endpoint does the same thing.",
            "Exports don't include deleted items, but I can restore anything deleted in the last 30 days if needed.",
            "The export doesn't lock the workspace, so your team can keep working while it runs.",
            "Let me know if you need the export in a different format, such as JSON only.",
        ],
    },
    "warranty": {
        "scenarios": [
            (
                [
                    "My {eproduct} stopped working after about eight months. It won't turn on at all.",
                    "The {eproduct} I bought in {month} keeps switching itself off after a few minutes.",
                    "My {eproduct} has started flickering and cutting out. It's not even a year old.",
                ],
                [
                    "That's covered by our 2-year warranty. I've sent you a prepaid label to return it, and a "
                    "replacement will ship as soon as the carrier scans the parcel, so you won't need to wait for it "
                    "to reach us.",
                    "Sorry to hear that. Before we replace it, could you try a quick reset? Unplug it, hold the power "
                    "button for 15 seconds, then plug it back in. If it still doesn't work, reply and I'll arrange a "
                    "warranty replacement straight away.",
                ],
            ),
            (
                [
                    (
                        "My {eproduct} is just over two years old and has developed a fault. Is there anything you can do?",
                        0,
                    ),
                    ("The warranty on my {eproduct} ran out last month and now it's stopped working.", 0),
                    ("Is the warranty transferable? I bought a {eproduct} second-hand and it's faulty.", 1),
                    (
                        "I was given a {eproduct} by a friend and it's broken. Does the warranty still apply?",
                        1,
                    ),
                ],
                [
                    "It's a little outside the 2-year warranty, but we'd still like to help. I've sent you a code for "
                    "40% off a replacement, and we can recycle the old one for you with a free label.",
                    "The warranty is tied to the original purchase, but it does transfer if you have the original "
                    "order number or receipt. If you can get that from the seller, I'll set up the claim.",
                ],
            ),
        ],
        "detail": [
            "I've tried a different cable and socket.",
            "I still have the original receipt.",
            "It was bought through your website, not a reseller.",
            "I've only used it at home, nothing unusual.",
            "I registered it on your site when I bought it.",
        ],
        "ask": [
            "Is this covered under warranty?",
            "Can you repair or replace it?",
            "What are my options?",
            "What do you need from me to make a claim?",
            "How do I proceed?",
        ],
        "extra": [
            "You can check the warranty status of all your products under Account > Devices.",
            "Replacements come with the remainder of the original warranty or 90 days, whichever is longer.",
            "If it turns out to be a different issue, our hardware team will contact you before doing anything.",
            "Please keep the original box if you still have it, as it protects the device best in transit.",
        ],
    },
}

# Scenario-specific detail/ask pools that replace the category-level ones where those would not fit.
SCENARIO_OVERRIDES: dict[tuple[str, int], dict[str, list[str]]] = {
    ("order_status", 2): {
        "detail": [
            "I checked with my neighbours and the building's mailroom already.",
            "There's a doorbell camera and it doesn't show anyone coming to the door.",
            "I paid extra for express shipping.",
            "It was meant to be a birthday present.",
        ],
    },
    ("refund", 2): {
        "detail": [
            "I kept the box and all the accessories.",
            "It was a gift, and the recipient still has the packaging.",
            "I've only taken it out of the box once.",
            "There's nothing wrong with it, it just doesn't suit my space.",
        ],
    },
    ("refund", 3): {
        "detail": [
            "I bought it on {date}.",
            "I paid with my credit card ending in {last4}.",
            "A friend bought the same thing at the lower price yesterday.",
            "I'd rather not return it and buy it again just to get the sale price.",
        ],
        "ask": [
            "Can you refund the difference?",
            "Is that something you can do?",
            "Can you adjust the price for me?",
            "Do I need to do anything to claim it?",
        ],
    },
    ("shipping_address", 1): {
        "detail": [
            "I've been a customer in the US for years.",
            "I'd be happy to pay extra for shipping.",
            "A friend of mine there would love the {product} too.",
            "I'm moving there for work for at least two years.",
        ],
        "ask": [
            "Is that something you're planning?",
            "Are there any alternatives?",
            "Do you know when that might change?",
            "What would you suggest?",
        ],
    },
    ("shipping_address", 2): {
        "detail": [
            "I have the receipt from the courier.",
            "The product page said duties were included.",
            "The courier wouldn't hand it over until I paid.",
            "The order number is {order}.",
        ],
        "ask": [
            "Can you refund the charge?",
            "Who should I speak to about this?",
            "Is this correct?",
            "What can you do about it?",
        ],
    },
    ("shipping_address", 3): {
        "detail": [
            "Our building's entrance is around the back.",
            "Parcels left outside tend to go missing here.",
            "I work from home most days, so I can usually take deliveries.",
            "My last two deliveries were returned to sender.",
        ],
        "ask": [
            "Is that possible?",
            "Can you set that up?",
            "What are my options?",
            "How can I make sure the next delivery arrives?",
        ],
    },
    ("promo_code", 1): {
        "detail": [
            "The code was in my welcome email.",
            "I only noticed after the payment went through.",
            "The order hasn't shipped yet, if that helps.",
            "I'm a returning customer, if that makes a difference.",
        ],
        "ask": [
            "Can you still apply it?",
            "Is there anything you can do?",
            "Can you refund the difference?",
            "Is it too late?",
        ],
    },
    ("invoice", 1): {
        "detail": [
            "I need it for my expense report by Friday.",
            "I've looked under Billing but the page is empty for me.",
            "My manager needs the PDFs for our audit.",
            "I'm a member of the workspace, not the owner.",
        ],
        "ask": [
            "Where can I find them?",
            "Could you send them over?",
            "Can you help?",
            "Is there a quick way to get them?",
        ],
    },
    ("two_factor", 2): {
        "detail": [
            "Our auditors want evidence that it's enforced.",
            "We're on the {plan} plan.",
            "Some of our members only use the mobile app.",
            "We'd like to give people a few days' notice.",
        ],
        "ask": [
            "Could you walk me through it?",
            "What do you recommend?",
            "What happens to people who haven't set it up yet?",
            "Is this available on our plan?",
        ],
    },
    ("subscription", 2): {
        "detail": [
            "We have {seats} people testing it at the moment.",
            "We still need to test the integrations.",
            "Our decision meeting got moved to next month.",
            "I haven't entered any card details.",
        ],
        "ask": [
            "Can you help?",
            "What are our options?",
            "Will we lose anything we've set up?",
            "What do you suggest?",
        ],
    },
    ("cancellation", 1): {
        "detail": [
            "I have the cancellation confirmation from {date}.",
            "Nobody on our team has used the workspace since.",
            "The card ends in {last4}.",
            "I'm the account owner.",
        ],
        "ask": [
            "Can you refund it?",
            "Please make sure we aren't charged again.",
            "Can you look into this?",
            "What happened here?",
        ],
    },
    ("cancellation", 2): {
        "detail": [
            "Our busy season starts again in the spring.",
            "We'd like everything to stay exactly as it is until then.",
            "I'm the account owner.",
            "Ideally the pause would start next month.",
        ],
        "ask": [
            "Is that possible?",
            "What are the options?",
            "Can you set that up for us?",
            "Will we lose our data?",
        ],
    },
    ("account_deletion", 2): {
        "detail": [
            "I still want to keep ordering from you.",
            "I get about three emails a week from you.",
            "I've clicked unsubscribe before and it didn't work.",
            "I'd also like to stop the text messages about sales.",
        ],
        "ask": [
            "Can you sort that out?",
            "How do I do that?",
            "Can you confirm once it's done?",
            "Please stop them.",
        ],
    },
    ("api_limits", 2): {
        "detail": [
            "The integration is a nightly sync job written in Python.",
            "We're on the {plan} plan.",
            "Our production workflow depends on this.",
            "We didn't change anything else.",
        ],
        "ask": [
            "What can we do?",
            "Is there a recommended pattern for this?",
            "Can you check on your side?",
            "What's the best practice here?",
        ],
    },
    ("integrations", 1): {
        "detail": [
            "We're on the Business plan.",
            "I'm the workspace owner.",
            "Our IT team manages the identity provider.",
            "We want to roll it out to {seats} people next week.",
        ],
        "ask": [
            "What settings should we use?",
            "How do we fix it?",
            "Is there a guide for this?",
            "What do you recommend?",
        ],
    },
}

SUPPORT_WEIGHTS = {
    "order_status": 10,
    "refund": 9,
    "return_exchange": 5,
    "damaged_item": 5,
    "wrong_item": 4,
    "shipping_address": 5,
    "promo_code": 4,
    "password_reset": 8,
    "two_factor": 5,
    "billing_charge": 8,
    "invoice": 5,
    "subscription": 6,
    "cancellation": 5,
    "bug_report": 7,
    "account_deletion": 4,
    "api_limits": 5,
    "integrations": 5,
    "data_export": 4,
    "warranty": 4,
}
TONE_WEIGHTS = {"neutral": 40, "polite": 20, "frustrated": 18, "urgent": 9, "confused": 13}

SHORT_TICKETS: list[tuple[str, str, str]] = [
    (
        "refund?",
        "Hi! Happy to help with a refund. Could you send me the order number (it starts with TW-) and let me "
        "know which item you'd like to return?",
        "refund",
    ),
    (
        "where is my order",
        "Hi there, I can check that for you. What's the order number? It's in the subject line of "
        "your confirmation email.",
        "order_status",
    ),
    (
        "cancel my subscription",
        "I can help with that. If you're the workspace owner, you can cancel under Admin > "
        'Billing > "Cancel subscription", or tell me the workspace name and I\'ll schedule it for the end of the billing '
        "period.",
        "cancellation",
    ),
    (
        "password reset not working",
        "Sorry about that! Is the reset email not arriving, or does the link show an "
        "error when you click it?",
        "password_reset",
    ),
    ("help", "Hi! I'm here. What can I help you with today?", "other"),
    (
        "still no package",
        "Sorry it's still not with you. Could you share the order number so I can check the "
        "tracking with the carrier?",
        "order_status",
    ),
    (
        "invoice pls",
        'Sure! Invoices are under Admin > Billing > "Invoices". If you need one for a store order, send '
        "me the order number and I'll email you the PDF.",
        "invoice",
    ),
    ("hello??", "Hi, sorry for the wait! How can I help?", "other"),
    (
        "is the standing desk back in stock",
        "Yes, the Orbit Electric Standing Desk is back in stock in black and "
        "white. The oak top is expected again in about three weeks.",
        "product_question",
    ),
    (
        "wrong item",
        "Sorry about that! Could you tell me the order number and what arrived instead? I'll get the "
        "right one sent out.",
        "wrong_item",
    ),
    (
        "charged twice",
        "I'm sorry about that. Could you tell me the date and amount of both charges, and the last four "
        "digits of the card? I'll check the payment history.",
        "billing_charge",
    ),
    (
        "can't log in",
        "Let's get you back in. What happens when you try to sign in: an error message, a 2FA prompt, or "
        "does the page just reload?",
        "password_reset",
    ),
    (
        "API limit?",
        "The limits are 60 requests per minute on Starter, 300 on Team and 1,200 on Business, shared "
        "across all tokens in a workspace.",
        "api_limits",
    ),
    (
        "delete my account",
        "I can help with that. To make sure the request really comes from you, please confirm it "
        "using the link I've just sent to the address on the account.",
        "account_deletion",
    ),
    (
        "order TW-583201",
        "Thanks! Order TW-583201 shipped yesterday with UPS and is due on Thursday. Is there "
        "anything specific you wanted to check?",
        "order_status",
    ),
    (
        "any update?",
        "Hi! Could you remind me of the ticket or order number? I'll check where things are.",
        "other",
    ),
    (
        "promo code invalid",
        "Sorry about that. Which code are you using, and what's in your cart? Some codes don't "
        "apply to items that are already on sale.",
        "promo_code",
    ),
    (
        "2FA broken",
        "Sorry to hear that. Are the codes being rejected, or have you lost access to the phone with your "
        "authenticator app?",
        "two_factor",
    ),
    (
        "how to add seats",
        'Admins can add seats under Admin > Members > "Invite". New seats are billed pro rata for the '
        "rest of the billing cycle.",
        "subscription",
    ),
    (
        "export data?",
        'Yes, you can export everything under Settings > Export > "Full export". You\'ll get a download '
        "link by email when it's ready.",
        "data_export",
    ),
    (
        "kettle leaking",
        "Oh no! Is it leaking from the base or from the spout? If you send a photo, I can arrange a "
        "warranty replacement straight away.",
        "warranty",
    ),
    (
        "VAT invoice needed",
        'No problem. Add your VAT number under Admin > Billing > "Billing details" and reply here, '
        "and I'll re-issue your latest invoice with it.",
        "invoice",
    ),
    (
        "app keeps crashing",
        "Sorry about that. Which device and app version are you on? You'll find the version under "
        "Help > About.",
        "bug_report",
    ),
    (
        "tracking link dead",
        "Sorry! Could you send me the order number? I'll get you a working tracking link.",
        "order_status",
    ),
]

FOREIGN_TICKETS: list[tuple[str, str, str, str]] = [
    (
        "es",
        "Hola, hice el pedido {order} hace diez días y todavía no ha llegado. El seguimiento no se actualiza desde "
        "el lunes. ¿Pueden decirme qué está pasando?",
        "Hola, {name}. Gracias por escribirnos. He revisado el pedido y el paquete está retenido en un centro de "
        "distribución de {carrier}. He abierto una reclamación con el transportista y, si no se mueve en 48 horas, le "
        "enviaremos un reemplazo sin coste.\n\nUn saludo,\n{agent}",
        "order_status",
    ),
    (
        "es",
        "Buenas tardes. Me han cobrado dos veces la suscripción de este mes. ¿Me pueden devolver el cargo "
        "duplicado?",
        "Buenas tardes, {name}. Tiene razón: el sistema procesó el pago dos veces por error. Ya hemos reembolsado el "
        "importe duplicado a su tarjeta terminada en {last4}; lo verá reflejado en un plazo de 5 a 7 días hábiles. "
        "Disculpe las molestias.",
        "billing_charge",
    ),
    (
        "es",
        "No puedo iniciar sesión porque perdí el móvil y tenía activada la verificación en dos pasos. ¿Qué puedo "
        "hacer?",
        "Lamentamos el inconveniente. Le hemos enviado un correo de verificación a la dirección asociada a la cuenta. "
        "Cuando lo confirme, desactivaremos la verificación en dos pasos durante 24 horas para que pueda configurarla "
        "de nuevo en su teléfono nuevo.",
        "two_factor",
    ),
    (
        "es",
        "Quiero devolver la lámpara de escritorio porque no da suficiente luz. ¿Cómo lo hago?",
        '¡Claro! Está dentro del plazo de 30 días. Vaya a Cuenta > Pedidos, pulse "Devolver artículo" e imprima la '
        "etiqueta prepagada. Le reembolsaremos el importe en cuanto el almacén reciba el paquete.",
        "refund",
    ),
    (
        "de",
        "Guten Tag, mein Schreibtisch ist beschädigt angekommen. Die Tischplatte hat einen tiefen Kratzer. Was "
        "kann ich tun?",
        "Guten Tag {name}, das tut uns sehr leid. Sie müssen den beschädigten Artikel nicht zurückschicken. Wir haben "
        "Ihnen heute eine neue Tischplatte geschickt, die in drei bis fünf Werktagen bei Ihnen sein sollte.\n\nViele "
        "Grüße\n{agent}",
        "damaged_item",
    ),
    (
        "de",
        "Hallo, wir brauchen für unsere Buchhaltung Rechnungen mit unserer Umsatzsteuer-ID. Wo kann ich die "
        "eintragen?",
        'Hallo {name}, Sie können Ihre USt-IdNr. unter Admin > Abrechnung > "Rechnungsdaten" hinterlegen. Alle '
        "zukünftigen Rechnungen enthalten sie dann automatisch. Die Rechnung vom letzten Monat habe ich bereits mit den "
        "neuen Angaben neu erstellt und Ihnen zugeschickt.",
        "invoice",
    ),
    (
        "de",
        "Ich möchte mein Konto und alle meine Daten löschen lassen. Bitte bestätigen Sie mir die Löschung "
        "schriftlich.",
        "Hallo {name}, wir haben Ihre Anfrage erhalten. Bitte bestätigen Sie die Löschung über den Link, den wir an "
        "Ihre hinterlegte Adresse gesendet haben. Danach werden alle personenbezogenen Daten innerhalb von 30 Tagen "
        "gelöscht, und Sie erhalten eine schriftliche Bestätigung.",
        "account_deletion",
    ),
    (
        "de",
        "Seit dem letzten Update stürzt die Desktop-App jedes Mal ab, wenn ich die Kalenderansicht öffne. Ist das "
        "ein bekanntes Problem?",
        "Hallo {name}, ja, das Problem ist uns bekannt und betrifft die Version {app_version}. Ein Update mit der "
        "Korrektur erscheint in den nächsten Tagen. Bis dahin können Sie die Kalenderansicht ohne Probleme im Browser "
        "nutzen.",
        "bug_report",
    ),
    (
        "fr",
        "Bonjour, j'ai commandé un casque il y a deux semaines et je n'ai toujours rien reçu. Pouvez-vous vérifier "
        "où en est ma commande ?",
        "Bonjour {name}, merci pour votre message. Votre colis a été retardé dans un centre de tri de {carrier}. J'ai "
        "ouvert une enquête auprès du transporteur et je reviens vers vous d'ici 48 heures. Si le colis est perdu, nous "
        "vous enverrons un remplacement gratuitement.\n\nCordialement,\n{agent}",
        "order_status",
    ),
    (
        "fr",
        "Je souhaite résilier mon abonnement à la fin du mois. Est-ce que je garderai l'accès à mes projets "
        "jusque-là ?",
        "Bonjour {name}, oui, vous garderez un accès complet jusqu'à la fin de la période de facturation en cours. Nous "
        "avons programmé la résiliation et vous ne serez plus débité. Pensez à exporter vos projets via Paramètres > "
        "Exporter avant cette date.",
        "cancellation",
    ),
    (
        "fr",
        "Le code promo BIENVENUE10 ne fonctionne pas sur mon panier. Il affiche « code non valide ».",
        "Bonjour {name}, ce code ne s'applique pas aux articles déjà en promotion, ce qui explique le message d'erreur. "
        "Je vous ai envoyé un nouveau code de 10 % valable sur toute la boutique pendant 30 jours.",
        "promo_code",
    ),
    (
        "fr",
        "Notre intégration reçoit des erreurs 429 depuis ce matin. Quelle est la limite de requêtes pour l'offre "
        "Team ?",
        "Bonjour {name}, l'offre Team autorise 300 requêtes par minute, partagées entre tous les jetons de l'espace de "
        "travail. Je vous conseille d'ajouter une temporisation exponentielle et de respecter l'en-tête Retry-After. Si "
        "vous avez besoin d'une limite plus élevée pour une migration, je peux l'augmenter temporairement.",
        "api_limits",
    ),
]

RAMBLE = [
    "For some context, we've been using Tidewell for a few years now across two offices, and generally it's been "
    "fine, which is why this is so frustrating.",
    "I've already spoken to two different people on live chat, and each of them told me something different.",
    "The first person said it would be sorted within 48 hours, and the second said there was no record of my "
    "earlier conversation at all.",
    "I've spent most of this morning going through old emails trying to piece together what happened, and I still "
    "don't understand it.",
    "My manager is now asking me about this every day and I don't have a good answer for her.",
    "I've read the help centre articles and tried everything they suggest, and none of it applies to my situation.",
    "I really don't want to dispute this with my bank or leave a bad review, but I'm running out of options.",
    "To be clear, I'm not trying to get anything for free, I just want what I paid for.",
    "I'd appreciate it if someone could actually read this whole message before replying with a template.",
    "If you need any more information, such as screenshots, receipts or confirmation emails, I have all of them "
    "saved.",
    "I also want to point out that your status page said everything was working normally the whole time.",
    "Last time something like this happened it took nearly a month to resolve, and I really can't go through that "
    "again.",
]
TERSE_REPLIES = [
    "Thanks, {name}. I've escalated this to a team lead, who will reply today.",
    "Thanks for the detail. Forwarded to billing; they'll email you within one business day.",
    "Got it, I've passed this on to our logistics team.",
    "Thanks. Escalated as {ref}, you'll hear back shortly.",
    "Understood. A supervisor will get back to you today.",
]

SURNAMES = [
    "Okafor",
    "Lindqvist",
    "Moreno",
    "Chen",
    "Patel",
    "Whitfield",
    "Novak",
    "Brennan",
    "Haddad",
    "Sato",
    "Keller",
    "Dubois",
]
EMAIL_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "brightpath.io", "northpeak.co"]

# (category, text injected into the customer message, text injected into the reply)
PII_TICKETS: list[tuple[str, str, str]] = [
    (
        "billing_charge",
        "The card I used was 4111 1111 1111 1111, expiry 09/27, if that helps you find the payments.",
        "",
    ),
    ("order_status", "You can reach me on +1 415 555 0132 if that's easier.", ""),
    (
        "shipping_address",
        "The new address is 1420 Alder Street, Apt 5B, Portland, OR 97209, and my phone is (503) 555-0147.",
        "",
    ),
    ("password_reset", "My personal email is {email}, please send the link there instead.", ""),
    ("refund", "The card number is 5500 0000 0000 0004 if you need it to find the refund.", ""),
    ("subscription", "Please copy my colleague {email} on your reply, she handles our billing.", ""),
    ("damaged_item", "Call me on +44 20 7946 0958 if you want to arrange a collection.", ""),
    ("invoice", "Our accounts payable contact is {email}, phone 212-555-0199.", ""),
    (
        "two_factor",
        "To verify it's me: my date of birth is 14/03/1986 and my mobile is +49 151 2345 6789.",
        "",
    ),
    (
        "account_deletion",
        "My account email is {email} and my old address was 77 Queen Street, Leeds LS1 2TW.",
        "",
    ),
    ("cancellation", "", "I've also updated the billing contact to {email}, as you asked."),
    (
        "warranty",
        "My social security number is 078-05-1120 if you need it for the warranty registration.",
        "",
    ),
]

RETURNS_POLICY = """TIDEWELL RETURNS AND REFUNDS POLICY (hardware store)
Last updated: 1 March 2024

1. Scope
This policy applies to physical products bought directly from the Tidewell online store. Products bought from
resellers, marketplaces or retail partners are covered by that seller's own policy, although our manufacturer's
warranty still applies. Tidewell Cloud subscriptions are covered by the Subscription Terms, not by this policy.

2. Return window
You can return most products within 30 days of delivery for any reason. The 30 days start on the date the carrier
records the delivery, not the date of the order. Products that were delivered in several parcels have a separate
window for each parcel. During the holiday period, orders delivered between 15 November and 24 December can be
returned until 31 January of the following year.

3. Condition of returned items
Items should be returned with all original accessories, manuals and packaging. Opened items are fine, as long as
they are undamaged and not missing parts. We may reduce the refund by up to 20% if an item comes back with
visible wear, scratches or missing accessories, and we will always tell you before we do this. Desks and chairs
must be disassembled and packed in their original boxes, because the carrier will not accept them otherwise.

4. Items that cannot be returned
For hygiene reasons, headphone ear cushions, opened replacement filters and personalised items (for example,
engraved notebooks or desk mats with a custom print) cannot be returned unless they are faulty. Gift cards and
downloadable software cannot be returned.

5. How to start a return
Sign in, go to Account > Orders, select the order and choose "Return item". You will be offered a prepaid label or
a label-free return using a QR code, depending on your country and the size of the item. For large items such as
desks, chairs and treadmills, we arrange a collection from your address instead. Collections are booked for a
weekday between 8 am and 6 pm, and you will receive a two-hour window the evening before.

6. Return shipping costs
Returns are free within the 30-day window for customers in the United States, Canada, the United Kingdom and the
European Union. For all other destinations, return shipping is deducted from the refund at the rate shown when you
start the return. If the item is faulty, damaged in transit or we sent you the wrong item, return shipping is
always free, wherever you are.

7. Refunds
Refunds are issued to the original payment method within 2 business days of the return being checked in at our
warehouse. Your bank may take a further 3 to 10 business days to show the refund, depending on the card issuer.
Orders paid with a gift card are refunded to a new gift card. Orders paid in instalments through our financing
partner are refunded to the financing partner, who will adjust your remaining payments. Original shipping charges
are refunded only if the whole order is returned, or if the return is due to our error.

8. Store credit
If you prefer, you can choose store credit instead of a refund. Store credit is issued as soon as the carrier scans
the parcel, includes an extra 10% of the item value, never expires and can be used on any product in the store.
Store credit cannot be converted back into a card refund.

9. Exchanges
Exchanges for a different size, colour or model are free within the return window. The replacement ships as soon as
the carrier scans your return, and if the new item costs more we will send you a payment link for the difference.
If it costs less, we refund the difference to the original payment method.

10. Price protection
If the price of an item you bought drops within 14 days of delivery, we will refund the difference once per item.
Price protection does not apply to clearance items, flash sales lasting less than 24 hours, or bundles.

11. Damaged, faulty or incorrect items
Please tell us within 7 days of delivery if an item arrives damaged or is not what you ordered, ideally with photos
of the item and the outer box. We will send a replacement or issue a full refund, including shipping. Faults that
appear after the first 30 days are handled under the Tidewell Limited Warranty, which covers electronics for two
years and furniture for five years from the date of delivery.

12. Late and missing refunds
If you have not received a refund 10 business days after we confirmed it, please check with your bank first, as
processing times vary. If the refund is still missing after that, contact us with the order number and we will
send you a refund confirmation that includes the acquirer reference number your bank can use to trace it.

13. Changes to this policy
We may update this policy from time to time. The version in force on the date of your order applies to that
order. Material changes are announced on this page at least 14 days before they take effect."""

RETENTION_ROWS = [
    (
        "Account profile (name, email, password hash, language)",
        "until the account is deleted, then 30 days",
        "contract",
    ),
    ("Login history and device list", "12 months on a rolling basis", "security of the service"),
    (
        "Two-factor authentication settings and backup code hashes",
        "until 2FA is turned off or the account is deleted",
        "security of the service",
    ),
    (
        "Order records (items, prices, taxes, delivery address)",
        "7 years after the order",
        "legal obligation (tax)",
    ),
    ("Payment tokens from our payment processor", "until the card is removed or expires", "contract"),
    ("Full card numbers", "never stored by Tidewell", "not applicable"),
    ("Invoices and credit notes", "10 years", "legal obligation (accounting)"),
    ("Support tickets and chat transcripts", "3 years after the ticket is closed", "legitimate interest"),
    ("Call recordings, where you agreed to recording", "90 days", "consent"),
    ("Product reviews you published", "until you delete them or the account is deleted", "consent"),
    ("Marketing preferences and consent records", "5 years after consent is withdrawn", "legal obligation"),
    ("Newsletter engagement (opens, clicks)", "24 months", "legitimate interest"),
    ("Website analytics (pseudonymous)", "14 months", "consent"),
    (
        "Workspace content in Tidewell Cloud (projects, tasks, comments, files)",
        "until the workspace owner deletes it, then 30 days in backups",
        "contract (on behalf of the workspace owner)",
    ),
    ("Workspace audit logs", "1 year on Team, 3 years on Business", "contract"),
    ("API access logs (request path, status, token ID)", "30 days", "security of the service"),
    ("Webhook delivery logs", "14 days", "contract"),
    ("Device registration and warranty records", "2 years after the warranty ends", "contract"),
    ("Returns and refund records", "7 years", "legal obligation (tax)"),
    ("Fraud-prevention signals", "18 months", "legitimate interest"),
    ("Job applications (if you applied to work with us)", "6 months after the process ends", "consent"),
    ("Backups of all of the above", "rolled over every 35 days", "same as the original data"),
]


def long_policy_reply(ctx: dict[str, str]) -> tuple[str, str]:
    msg = (
        "Before I return anything else, can you send me your full returns policy? Your website is vague about "
        "opened items, gift cards and who pays for return shipping."
    )
    reply = (
        f"Hi {ctx['name']},\n\nOf course. Here is our complete returns and refunds policy, copied from our "
        f"internal knowledge base so nothing is left out:\n\n{RETURNS_POLICY}\n\nThe short version: opened items "
        f"are fine if nothing is missing, return shipping is free in the US, Canada, UK and EU, and gift card "
        f"orders are refunded to a new gift card.\n\nBest,\n{ctx['agent']}\nTidewell Support"
    )
    return msg, reply


def long_retention_reply(ctx: dict[str, str]) -> tuple[str, str]:
    msg = (
        "Before I ask you to delete my account, I want to know exactly what personal data you hold about me, how "
        "long you keep each kind of data and on what legal basis. Please be specific."
    )
    lines = [
        f"Hi {ctx['name']},",
        "",
        "Thanks for asking, this is a fair question. Below is our full retention "
        "schedule as published to our Data Protection Officer. Each line shows the category of data, how long "
        "we keep it, and the legal basis we rely on:",
        "",
    ]
    for i, (what, period, basis) in enumerate(RETENTION_ROWS, 1):
        lines.append(f"{i:>2}. {what}\n    Retention: {period}.\n    Legal basis: {basis}.")
    lines += [
        "",
        "When you ask us to delete your account, this is what happens, step by step:",
        "1. We confirm the request through a link sent to the address on the account.",
        "2. The account is deactivated immediately and you are signed out on all devices.",
        "3. Within 30 days, every category above marked 'until the account is deleted' is erased from our "
        "live systems, and the account is removed from all mailing lists.",
        "4. Records we must keep by law (orders, invoices, refunds) are kept for the stated period but are "
        "detached from your profile, so they can no longer be used to identify you in our tools.",
        "5. Backups roll over within 35 days, after which no copy of the erased data remains.",
        "6. We send you a written confirmation once all of the steps are complete.",
        "",
        "These are the service providers that process personal data on our behalf, and what they do with it:",
        "- Our payment processor: card payments and refunds. We only ever see the last four digits.",
        "- Our cloud hosting provider: hosting of the store and of Tidewell Cloud in the US and EU regions.",
        "- Our email delivery provider: order, security and (if you opted in) marketing emails.",
        "- Our carriers (UPS, FedEx, USPS, DHL): your name, delivery address and phone number for delivery.",
        "- Our support platform: support tickets and chat transcripts.",
        "- Our analytics provider: pseudonymous website analytics, only if you accepted analytics cookies.",
        "Each of them is bound by a data processing agreement and must delete the data when we instruct them "
        "to, including as part of your deletion request.",
        "",
        "Your rights, in short: you can ask for a copy of your data (access and portability), ask us to "
        "correct it, ask us to delete it, object to processing based on legitimate interest, withdraw consent "
        "at any time without affecting earlier processing, and ask us to restrict processing while a "
        "complaint is being looked at. We answer every request within one month, and we won't charge you for "
        "it unless a request is clearly unfounded or repeated.",
        "",
        'If you want a copy of everything first, you can request an export under Account > Privacy > "Download '
        "my data\". You can also contact our Data Protection Officer through the privacy page if you'd like to "
        "discuss any of this in more detail, and you always have the right to complain to your local data "
        "protection authority.",
        "",
        f"Kind regards,\n{ctx['agent']}\nTidewell Customer Care",
    ]
    return msg, "\n".join(lines)


def long_log_reply(rng: random.Random, ctx: dict[str, str], kind: str) -> tuple[str, str]:
    start = dt.datetime(2024, 6, 11, 7, 58, 3)
    lines: list[str] = []
    t = start
    if kind == "webhook":
        msg = (
            "Our webhook endpoint says it never received any events yesterday morning. Can you check on your side "
            "whether you actually sent them?"
        )
        intro = (
            "I pulled the complete delivery log for your webhook endpoint for the period you mentioned. Every "
            "attempt is listed below with the event ID, type, attempt number, HTTP status and latency:"
        )
        for _ in range(80):
            t += dt.timedelta(seconds=rng.randint(20, 140))
            evt = "evt_" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(14))
            etype = rng.choice(
                ["task.created", "task.updated", "task.completed", "comment.created", "project.updated"]
            )
            status = rng.choices([200, 503, 504, 410], weights=[3, 6, 3, 1])[0]
            latency = rng.randint(80, 900) if status == 200 else rng.choice([30001, 30004, 30012, 29998])
            lines.append(
                f"{t:%Y-%m-%dT%H:%M:%SZ}  POST https://hooks.{ctx['workspace']}.example/tidewell  {evt}  "
                f"{etype:<16} attempt={rng.randint(1, 5)}  status={status}  latency={latency}ms"
            )
        outro = (
            "Most deliveries failed with 503 or timed out after 30 seconds, which points to the receiving server "
            "rather than our side. Once your endpoint is healthy, you can replay everything from Settings > "
            'Developers > Webhooks > "Replay failed events".'
        )
    elif kind == "sync":
        msg = "The desktop app stopped syncing on my laptop. I sent the diagnostics file through the app, can you "
        msg += "tell me what's wrong?"
        intro = (
            "Thanks for sending the diagnostics. Here's the relevant part of the sync log from your laptop:"
        )
        for _ in range(85):
            t += dt.timedelta(seconds=rng.randint(1, 30))
            level, text = rng.choice(
                [
                    ("INFO", f"sync.loop: starting incremental sync (cursor={rng.randint(100000, 999999)})"),
                    ("INFO", f"net: GET /v2/changes?since=cursor 200 in {rng.randint(40, 400)} ms"),
                    ("WARN", f"store.sqlite: database is locked, retrying (attempt {rng.randint(1, 5)}/5)"),
                    ("ERROR", "store.sqlite: disk I/O error while writing journal (SQLITE_IOERR_WRITE)"),
                    ("INFO", "auth: token refreshed, expires in 3600 s"),
                    ("WARN", f"sync.queue: {rng.randint(3, 400)} local changes pending upload"),
                    ("ERROR", "sync.loop: aborting batch, local store unavailable"),
                    ("DEBUG", "fs.watch: ignoring change in cache directory"),
                ]
            )
            lines.append(
                f"[{t:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}] {level:<5} pid=4{rng.randint(100, 999)} "
                f"{text}"
            )
        outro = (
            "The repeated SQLITE_IOERR_WRITE errors mean the app can't write to its local database, usually "
            "because the disk is full or an antivirus tool is locking the file. Free up some space, add the "
            "Tidewell data folder to your antivirus exclusions, and restart the app. Your pending changes are "
            "queued and will upload once the store is writable again."
        )
    else:
        msg = (
            "Half of our nightly sync job failed again with rate-limit errors. Can you send us the server-side "
            "logs for our token so we can see what's happening?"
        )
        intro = "Here are the server-side request logs for your API token for the window of the failed run:"
        for _ in range(90):
            t += dt.timedelta(milliseconds=rng.randint(40, 900))
            rid = "req_" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(12))
            status = rng.choices([200, 429, 201], weights=[5, 4, 2])[0]
            method, path = rng.choice(
                [
                    ("GET", "/v2/tasks?cursor=..."),
                    ("PATCH", "/v2/tasks/:id"),
                    ("GET", "/v2/projects"),
                    ("POST", "/v2/comments"),
                ]
            )
            remaining = 0 if status == 429 else rng.randint(0, 40)
            lines.append(
                f"{t:%H:%M:%S}.{t.microsecond // 1000:03d} {rid} {method:<5} {path:<22} {status} "
                f"ratelimit-remaining={remaining} retry-after={'12' if status == 429 else '-'}"
            )
        outro = (
            "The job sends requests in parallel from 8 workers without waiting for Retry-After, so once the "
            "budget is spent, every request returns 429 until the window resets. Limiting concurrency to 2 "
            "workers and sleeping for the Retry-After value on 429 will let the job finish in one pass."
        )
    reply = f"Hi {ctx['name']},\n\n{intro}\n\n" + "\n".join(lines) + f"\n\n{outro}\n\nCheers,\n{ctx['agent']}"
    return msg, reply


def compose_support(
    rng: random.Random, category: str, ctx: dict[str, str], inject_msg: str = "", inject_reply: str = ""
) -> tuple[str, str]:
    """One ticket: a customer message and an agent reply built from the category's phrase pools."""
    spec = SUPPORT[category]
    index = rng.randrange(len(spec["scenarios"]))
    ctx_list, res_list = spec["scenarios"][index]
    override = SCENARIO_OVERRIDES.get((category, index), {})
    chosen = rng.choice(ctx_list)
    core, res = (
        (chosen[0], res_list[chosen[1]]) if isinstance(chosen, tuple) else (chosen, pick(rng, res_list))
    )
    tone = rng.choices(list(TONE_WEIGHTS), weights=list(TONE_WEIGHTS.values()))[0]
    channel = "email" if rng.random() < 0.6 else "chat"
    n_details = rng.choice([0, 1, 1, 2]) if channel == "email" else rng.choice([0, 1])
    details = rng.sample(override.get("detail", spec["detail"]), k=n_details)
    core_words = set(words(core))
    asks = [
        a for a in override.get("ask", spec["ask"]) if not {w for w in words(a) if len(w) >= 6} & core_words
    ]
    ask = pick(rng, asks or override.get("ask", spec["ask"]))
    opener = pick(rng, TONE_OPENERS[tone])
    if rng.random() < 0.3 and details:
        body = join_sentences(opener, core, ask, *details, inject_msg)
    else:
        body = join_sentences(opener, core, *details, inject_msg, ask)
    if channel == "email":
        body = join_sentences(body, pick(rng, BODY_CLOSERS))
        greeting = pick(rng, GREETINGS) if rng.random() < 0.75 else ""
        sign = rng.choice(
            [
                f"{pick(rng, SIGN_OFFS)}\n{ctx['name']}",
                f"{pick(rng, SIGN_OFFS)}\n{ctx['name']}",
                f"- {ctx['name']}",
                ctx["name"],
                "",
            ]
        )
        message = "\n\n".join(p for p in (greeting, body, sign) if p)
    else:
        message = body
        if rng.random() < 0.25:
            message = message[0].lower() + message[1:]
            message = message.rstrip(".")
    ack = pick(rng, ACKS[tone])
    extra = pick(rng, spec["extra"]) if rng.random() < 0.7 else ""
    if channel == "email":
        paragraphs = [
            pick(rng, REPLY_GREETINGS_EMAIL),
            join_sentences(ack, res),
            join_sentences(extra, inject_reply),
            pick(rng, REPLY_CLOSERS),
            pick(rng, REPLY_SIGNATURES),
        ]
        reply = "\n\n".join(p for p in paragraphs if p)
    else:
        reply = join_sentences(pick(rng, REPLY_GREETINGS_CHAT), ack, res, extra, inject_reply)
    return message.format_map(ctx), reply.format_map(ctx)


def near_duplicate(rng: random.Random, text_a: str, text_b: str) -> tuple[str, str]:
    """A copy with a word or two changed or the punctuation altered."""
    swaps = [
        ("Thanks", "Thank you"),
        ("today", "tomorrow"),
        ("usually", "normally"),
        ("straight away", "right away"),
        ("within", "in"),
        ("Sorry", "Apologies"),
        ("I've", "I have"),
        ("can't", "cannot"),
        ("just", "simply"),
        ("order", "purchase"),
        ("please", "kindly"),
        ("email", "e-mail"),
    ]
    mode = rng.choice(["reply_word", "message_punct", "both_light", "message_word"])
    a, b = text_a, text_b

    def swap_one(text: str) -> str:
        for old, new in rng.sample(swaps, len(swaps)):
            if re.search(rf"\b{re.escape(old)}\b", text):
                return re.sub(rf"\b{re.escape(old)}\b", new, text, count=1)
        return text.rstrip(".") + "!"

    if mode == "reply_word":
        b = swap_one(b)
    elif mode == "message_word":
        a = swap_one(a)
    elif mode == "message_punct":
        a = a.replace(",", "", 2).replace("?", "??", 1)
        if a == text_a:
            a = a.rstrip(".") + "!"
    else:
        a = a.rstrip("?.! ") + "..."
        b = swap_one(b)
    return a, b


def build_support(rng: random.Random) -> tuple[list[dict[str, str]], Counter[str]]:
    defects: Counter[str] = Counter()
    gate = DiversityGate([0.4, 0.55, 0.75])
    categories = list(SUPPORT_WEIGHTS)
    weights = list(SUPPORT_WEIGHTS.values())

    def fresh(
        category: str, inject_msg: str = "", inject_reply: str = "", ctx: dict[str, str] | None = None
    ) -> dict[str, str]:
        for _ in range(500):
            c = ctx or support_context(rng)
            msg, reply = compose_support(
                rng, category, c, inject_msg.format_map(c), inject_reply.format_map(c)
            )
            if gate.admit(category, msg + "\n" + reply, msg, reply):
                return {
                    "customer_message": msg,
                    "support_reply": reply,
                    "category": category,
                    "kind": "ordinary",
                }
        raise RuntimeError(f"phrase pools too small for another distinct {category} ticket")

    n_missing_reply, n_missing_msg, n_mojibake, n_control = 24, 12, 12, 5
    n_base = 1032 + n_missing_reply + n_missing_msg + n_mojibake + n_control
    base = [fresh(rng.choices(categories, weights=weights)[0]) for _ in range(n_base)]

    for cat, inj_msg, inj_reply in PII_TICKETS:
        c = support_context(rng)
        c["email"] = f"{c['name'].lower()}.{rng.choice(SURNAMES).lower()}@{rng.choice(EMAIL_DOMAINS)}"
        row = fresh(cat, inj_msg, inj_reply, ctx=c)
        row["kind"] = "pii"
        base.append(row)
        defects["pii"] += 1

    sk1 = fake_key(rng, "sk-", 48, string.ascii_letters + string.digits)
    sk2 = fake_key(rng, "sk-", 48, string.ascii_letters + string.digits)
    akia = fake_key(rng, "AKIA", 16, string.ascii_uppercase + "234567")
    rotate = (
        "One more thing: that key is now stored in this ticket, so please rotate it under Settings > Developers > "
        "API keys as a precaution."
    )
    secrets = [
        (
            "api_limits",
            f'Here\'s exactly what we send:\ncurl -H "Authorization: Bearer {sk1}" '
            "https://api.tidewell.com/v2/tasks?limit=200\nAbout half of these calls come back with a 429.",
            rotate,
        ),
        (
            "integrations",
            f"Our S3 export job uses the access key {akia}, I can send the secret separately if you need it.",
            "Please don't send the secret key, and I'd recommend rotating that AWS access key, as it's now in "
            "this ticket thread.",
        ),
        (
            "bug_report",
            "Here is our sync config in case it helps:\nTIDEWELL_API_URL=https://api.tidewell.com\n"
            f"TIDEWELL_API_KEY={sk2}\nSYNC_INTERVAL=300\nNothing else in it has changed recently.",
            rotate,
        ),
    ]
    for cat, inj_msg, inj_reply in secrets:
        row = fresh(cat, inj_msg.replace("{", "{{").replace("}", "}}"), inj_reply)
        row["kind"] = "secret"
        base.append(row)
        defects["secret"] += 1

    rng.shuffle(base)
    plain = [r for r in base if r["kind"] == "ordinary"]
    for row in plain[:n_missing_reply]:
        row["support_reply"], row["kind"] = "", "missing"
        defects["missing_reply"] += 1
    for row in plain[n_missing_reply : n_missing_reply + n_missing_msg]:
        row["customer_message"], row["kind"] = "", "missing"
        defects["missing_message"] += 1
    offset = n_missing_reply + n_missing_msg
    cafe = " I\u2019m writing from the caf\u00e9 downstairs, so I might be slow to reply."
    for i, row in enumerate(plain[offset : offset + n_mojibake]):
        field = "customer_message" if i < 8 else "support_reply"
        text = typographic(row[field])
        if field == "customer_message" and i % 3 == 0:
            parts = text.split("\n\n")
            body = max(range(len(parts)), key=lambda k: len(parts[k]))
            parts[body] += cafe
            text = "\n\n".join(parts)
        if text.isascii():
            text += " Sorry for the trouble \u2014 it\u2019s been a long week."
        row[field], row["kind"] = mojibake(text), "mojibake"
        defects["mojibake"] += 1
    offset += n_mojibake
    controls: list[tuple[str, str, Callable[[str], str]]] = [
        (
            "bug_report",
            "customer_message",
            lambda t: (
                t + "\n\nThe command-line sync tool prints this:\n"
                "\x1b[31mERROR\x1b[0m sync failed: upstream timeout\n\x1b[33mWARN\x1b[0m  retrying in 30s"
            ),
        ),
        ("order_status", "customer_message", lambda t: re.sub(r"(\w+ \w+ \w+)", "\\1\x07", t, count=1)),
        ("api_limits", "customer_message", lambda t: "\x1b[2K\r" + t),
        ("return_exchange", "support_reply", lambda t: t + "\x1b[0m"),
        ("warranty", "support_reply", lambda t: re.sub(r"(\. )", ".\x07 ", t, count=1)),
    ]
    pool = plain[offset:]
    for cat, field, fn in controls:
        row = next(r for r in pool if r["category"] == cat and r["kind"] == "ordinary")
        row[field], row["kind"] = fn(row[field]), "control"
        assert re.search(r"[\x07\x1b]", row[field]), cat
        defects["control_chars"] += 1

    extra_rows: list[dict[str, str]] = []
    clean = [r for r in base if r["kind"] == "ordinary"]
    sources = rng.sample(clean, 30 + 24)
    for i, src in enumerate(sources[:30]):
        dup = dict(src, kind="exact_duplicate", same_id="yes" if i < 20 else "no")
        dup["source"] = str(id(src))
        extra_rows.append(dup)
        defects["exact_duplicate"] += 1
    for src in sources[30:]:
        msg, reply = near_duplicate(rng, src["customer_message"], src["support_reply"])
        extra_rows.append(dict(src, customer_message=msg, support_reply=reply, kind="near_duplicate"))
        defects["near_duplicate"] += 1

    for msg, reply, cat in SHORT_TICKETS:
        extra_rows.append({"customer_message": msg, "support_reply": reply, "category": cat, "kind": "short"})
        defects["short_input"] += 1

    long_makers: list[tuple[str, Callable[[dict[str, str]], tuple[str, str]]]] = [
        ("refund", long_policy_reply),
        ("account_deletion", long_retention_reply),
        ("api_limits", lambda c: long_log_reply(rng, c, "webhook")),
        ("bug_report", lambda c: long_log_reply(rng, c, "sync")),
        ("api_limits", lambda c: long_log_reply(rng, c, "requests")),
    ]
    for cat, maker in long_makers:
        msg, reply = maker(support_context(rng))
        assert token_estimate(reply) > 1000 and len(reply) > 5000, (cat, len(reply))
        extra_rows.append(
            {"customer_message": msg, "support_reply": reply, "category": cat, "kind": "long_reply"}
        )
        defects["long_reply"] += 1

    for cat in ["billing_charge", "order_status", "refund", "integrations", "cancellation"]:
        c = support_context(rng)
        spec = SUPPORT[cat]
        ctx_list, _ = spec["scenarios"][0]
        override = SCENARIO_OVERRIDES.get((cat, 0), {})
        ramble = rng.sample(RAMBLE, 7)
        msg = join_sentences(
            pick(rng, GREETINGS),
            ramble[0],
            ctx_list[0] if isinstance(ctx_list[0], str) else ctx_list[0][0],
            *override.get("detail", spec["detail"]),
            *ramble[1:4],
            *override.get("ask", spec["ask"])[:2],
            *ramble[4:],
            "Thanks,",
        )
        msg += f"\n{c['name']}"
        msg = msg.format_map(c)
        reply = pick(rng, TERSE_REPLIES).format_map(c)
        assert token_estimate(msg) > 10 * token_estimate(reply), cat
        extra_rows.append(
            {"customer_message": msg, "support_reply": reply, "category": cat, "kind": "length_ratio"}
        )
        defects["length_ratio"] += 1

    for _lang, msg, reply, cat in FOREIGN_TICKETS:
        c = support_context(rng)
        extra_rows.append(
            {
                "customer_message": msg.format_map(c),
                "support_reply": reply.format_map(c),
                "category": cat,
                "kind": "non_english",
            }
        )
        defects["non_english"] += 1

    rows = base + extra_rows
    rng.shuffle(rows)
    ids: dict[str, str] = {}
    next_id = 104_218
    for row in rows:
        next_id += rng.randint(1, 9)
        row["ticket_id"] = f"T-{next_id}"
        ids.setdefault(str(id(row)), row["ticket_id"])
    by_obj = {str(id(r)): r for r in base}
    for row in rows:
        if row.get("same_id") == "yes":
            row["ticket_id"] = by_obj[row["source"]]["ticket_id"]
    assert len(rows) == 1200, len(rows)
    return rows, defects


# --------------------------------------------------------------------------------------------------------------
# chat.jsonl content: IT helpdesk for "Brightline Logistics" employees, plus a general coding assistant
# --------------------------------------------------------------------------------------------------------------

IT_SYSTEM_PROMPTS = [
    "You are the IT service desk assistant for Brightline Logistics. Help employees fix common problems step by "
    "step, and tell them when they need to raise a ticket.",
    "You are a friendly IT helpdesk agent. Keep answers short, use numbered steps, and never ask for passwords.",
    "You are Brightline's internal IT support bot. Employees use Windows laptops and Microsoft 365. Escalate "
    "hardware faults to the service desk.",
    "You help staff with IT problems. Be patient, assume the user is not technical, and explain where to click.",
    "You are an IT support assistant. Give practical fixes first and background second. Security issues always go "
    "to the service desk.",
]
CODE_SYSTEM_PROMPTS = [
    "You are a helpful coding assistant. Answer concisely and include runnable code when it helps.",
    "You are a senior Python developer who explains things clearly to junior colleagues.",
    "You are a programming assistant. Prefer the standard library and explain the reasoning behind each fix.",
    "You are an expert software engineer. Give correct, idiomatic code and point out edge cases.",
    "You are a patient programming tutor. Explain the cause of an error before showing the fix.",
]
LAPTOPS = [
    ("Dell Latitude 7440", "Windows 11"),
    ("Lenovo ThinkPad T14", "Windows 11"),
    ("HP EliteBook 840", "Windows 10"),
    ("Dell Latitude 5420", "Windows 10"),
    ("Surface Laptop 5", "Windows 11"),
    ("Lenovo ThinkPad X1 Carbon", "Windows 11"),
]


def it_context(rng: random.Random) -> dict[str, str]:
    laptop, os_name = rng.choice(LAPTOPS)
    return {
        "laptop": laptop,
        "os": os_name,
        "vpn": rng.choice(["GlobalProtect", "Cisco AnyConnect"]),
        "vpn_error": rng.choice(
            [
                "Gateway not responding",
                "Authentication failed",
                "Unable to establish a secure connection",
                "The connection attempt has timed out",
            ]
        ),
        "remote_place": rng.choice(
            ["a hotel", "home", "my parents' place", "a coworking space", "the airport"]
        ),
        "time": rng.choice(["2 pm", "10:30", "9 am", "half past three", "11 o'clock", "4 pm"]),
        "night": rng.choice(["3 am", "about 2 in the morning", "just after midnight", "5 am"]),
        "floor": rng.choice(["2nd", "3rd", "4th", "ground"]),
        "printer": rng.choice(
            ["PRN-3F-EAST", "PRN-2F-FINANCE", "PRN-4F-OPS", "PRN-GF-RECEPTION", "PRN-3F-WEST"]
        ),
        "room": rng.choice(["Harbour", "Summit", "Atlas", "Meridian", "Quay"]),
        "share": rng.choice(
            ["Finance-Reports", "Marketing-Assets", "Operations", "Projects-2024", "Fleet-Planning"]
        ),
        "software": rng.choice(
            [
                "Power BI Desktop",
                "Python 3.12",
                "Visual Studio Code",
                "Tableau Reader",
                "Notepad++",
                "Zoom",
                "7-Zip",
                "Adobe Acrobat Pro",
                "Git for Windows",
            ]
        ),
    }


IT_OPENERS = ["", "", "", "Hi!", "Hey!", "Morning!", "Hi IT!", "Hello.", "Quick one:", "Hi there!"]
IT_ASKS = [
    "Can you help?",
    "Any ideas?",
    "What should I do?",
    "How do I fix this?",
    "Is there something I can try before raising a ticket?",
    "",
    "",
]
IT_INTROS = [
    "Sorry about that, let's get it sorted.",
    "That's usually quick to fix.",
    "Thanks for the details.",
    "Let's work through it.",
    "Happy to help.",
    "That one comes up a lot.",
    "",
    "",
]
STEP_INTROS = [
    "Try these steps in order:",
    "Here's what usually fixes it:",
    "Please try the following:",
    "Work through these and stop as soon as it's fixed:",
    "A few things to check:",
]
IT_CLOSINGS = [
    "If none of that works, reply here and I'll raise a ticket with the desk-side team.",
    "Let me know how you get on.",
    "If it still fails, send me a screenshot of the error.",
    "",
    "",
]
THANKS_EXCHANGES = (
    [
        "That worked, thanks!",
        "Perfect, all sorted now.",
        "Great, that fixed it.",
        "Thanks, that did the trick.",
        "All good now, cheers.",
    ],
    [
        "Glad to hear it! I'll close this one off.",
        "Great news. If it happens again, the same steps should fix it.",
        "Brilliant, thanks for letting me know.",
        "You're welcome! Have a good rest of your day.",
    ],
)

IT_TOPICS: list[dict[str, Any]] = [
    {
        "key": "vpn",
        "problem": [
            'My VPN won\'t connect from home. {vpn} just says "{vpn_error}".',
            'I can\'t get on the VPN this morning. {vpn} spins on "Connecting..." and then gives up.',
            "{vpn} connects for a minute and then drops, over and over.",
            "I'm working from {remote_place} and the VPN refuses to connect.",
        ],
        "detail": [
            "I'm on a {laptop} running {os}.",
            "The internet works fine otherwise, I can browse normally.",
            "It was working yesterday.",
            "I've already restarted the laptop.",
            "I changed my password on Monday.",
        ],
        "steps": [
            "Check that you're definitely online: open a normal website and accept any Wi-Fi login page first, because "
            "{vpn} can't connect through a captive portal.",
            "Quit {vpn} completely (right-click the tray icon and choose Quit or Exit), then open it again.",
            "Make sure the portal address is vpn.brightline.example and not an old address from a previous laptop.",
            "If you changed your password recently, sign out of {vpn} and sign in again with the new one, since it "
            "caches the old credentials.",
            "Switch to your phone's hotspot for a minute. If it connects there, the network you're on is blocking VPN "
            "traffic.",
            "Check the date and time on the laptop are correct, because certificate checks fail if the clock is off.",
        ],
        "wrap": [
            "If it still won't connect, note the exact time you tried and send me a screenshot of the error, and I'll "
            "check the gateway logs.",
            "Most of the time it's the Wi-Fi network or a cached password, so the first few steps usually sort it.",
        ],
        "followups": [
            (
                [
                    "I tried my phone's hotspot and it connects fine there, just not on the hotel Wi-Fi. Anything I can do?",
                    "I tried my phone's hotspot and it connected straight away. So it's the network I'm on?",
                ],
                [
                    "Yes, that confirms the network is blocking the VPN protocol; some hotels and cafes only allow web "
                    "traffic. You can keep using the hotspot, or ask whether they have a business network without "
                    "filtering. {vpn} also has a fallback mode that works over HTTPS, and I can switch your profile to it if "
                    "the hotspot isn't practical."
                ],
            ),
            (
                ["Do I need the VPN to use Outlook and Teams?", "Which apps actually need the VPN?"],
                [
                    "No, Outlook, Teams and OneDrive all work over the internet without the VPN. You only need it for the "
                    "shared drives, the intranet and internal tools like the warehouse dashboard."
                ],
            ),
            (
                ["Now I'm getting a certificate error instead.", "It says my certificate is invalid now."],
                [
                    "That usually means the device certificate on the laptop needs renewing. Open Company Portal, go to "
                    'Devices, select this laptop and click "Check status". It renews the certificate in the background. '
                    "Give it five minutes, then restart {vpn} and try again."
                ],
            ),
        ],
    },
    {
        "key": "password",
        "problem": [
            "My Windows password expired and now it won't let me log in.",
            "I'm locked out of my account after too many wrong password attempts.",
            "It's asking me to change my password, but it says the new one doesn't meet the requirements.",
            "I reset my password yesterday and now Outlook keeps asking for it.",
        ],
        "detail": [
            "I'm working from home today, not the office.",
            "My phone still gets emails fine.",
            "I've tried about five different passwords.",
            "I'm on a {laptop}.",
            "I have a presentation at {time}.",
        ],
        "steps": [
            "Go to the self-service reset page (passwordreset.brightline.example) from your phone or another device and "
            "reset it there.",
            "Choose a password with at least 14 characters. It can't contain your name or any of your last 12 "
            "passwords.",
            "If your account is locked, it unlocks automatically after 15 minutes, so wait before trying again.",
            "If you're remote, sign in with the old password, connect to the VPN, then press Ctrl+Alt+Delete and "
            'choose "Change a password" so the laptop learns the new one.',
            "Once it's changed, sign out of Outlook, Teams and OneDrive and sign back in so they pick up the new "
            "password.",
            "On your phone, update the password in the Outlook app when it prompts you.",
        ],
        "wrap": [
            "If the reset page doesn't recognise you, call the service desk and they'll verify you over video.",
            "After that, everything should be back to normal within a few minutes.",
        ],
        "followups": [
            (
                ["What counts as a strong enough password?", "Why does it keep rejecting my new password?"],
                [
                    "It needs at least 14 characters, and it can't include your name, your username, or anything from your "
                    "last 12 passwords. A passphrase of three or four random words with a number works well, something "
                    'like "copper kettle rain 42" (but please don\'t use that exact one!).'
                ],
            ),
            (
                [
                    "Outlook is still asking for my password every few minutes.",
                    "Teams keeps saying I need to sign in again.",
                ],
                [
                    "That's the old password cached in Windows Credential Manager. Open Control Panel > Credential Manager > "
                    'Windows Credentials, remove every entry that starts with "MicrosoftOffice", then restart Outlook and '
                    "Teams and sign in once."
                ],
            ),
        ],
    },
    {
        "key": "mfa",
        "problem": [
            "I got a new phone and can't approve sign-ins because Microsoft Authenticator is on my old one.",
            "I lost my phone and now I can't do the MFA prompt to log in.",
            "The Authenticator app isn't showing any sign-in requests anymore.",
        ],
        "detail": [
            "I still have the old phone, it's just wiped.",
            "I'm in the office today.",
            "I'm on a {laptop}.",
            "I need to get into Teams before a call at {time}.",
        ],
        "steps": [
            "If you still have the old phone with Authenticator working, approve a sign-in to mysignins.microsoft.com "
            "on it and add the new phone under Security info.",
            'On the new phone, install Microsoft Authenticator and choose "Add account" > "Work or school account" > '
            '"Scan QR code".',
            "Remove the old phone from Security info once the new one works.",
            "If you no longer have the old phone, the service desk has to reset your MFA registration. They'll verify "
            "your identity on a short video call first.",
            "After the reset, you'll be asked to register again the next time you sign in.",
        ],
        "wrap": ["Your laptop stays signed in while you do this, so you shouldn't lose access to anything."],
        "followups": [
            (
                ["Can I use text messages instead of the app?", "Is SMS allowed for MFA?"],
                [
                    "SMS is allowed as a backup method but not as your only one, because text messages can be intercepted. "
                    "Keep Authenticator as the main method and add your phone number under Security info as a fallback."
                ],
            ),
            (
                ["How long does the MFA reset take?", "Will I lose access to anything while MFA is reset?"],
                [
                    "The reset itself takes a few minutes once the service desk has verified you. Your existing sessions "
                    "keep working; you just can't sign in on a new device until you've registered again."
                ],
            ),
        ],
    },
    {
        "key": "mfa_fatigue",
        "problem": [
            "I keep getting Authenticator prompts on my phone even though I'm not trying to log in.",
            "I got three MFA requests in a row at {night} while I was asleep. Is that normal?",
            "Random sign-in approval requests keep popping up on my phone.",
        ],
        "detail": [
            "I didn't approve any of them.",
            "It happened again this morning.",
            "I'm on leave this week.",
        ],
        "steps": [
            "Don't approve any prompt you didn't start, even if it keeps coming back.",
            "Change your password straight away at passwordreset.brightline.example, because someone may know it.",
            'Report it with the "Report phishing" button in Outlook or by calling the service desk, so the security '
            "team can check the sign-in logs.",
            "Check mysignins.microsoft.com > Recent activity for sign-ins from places you don't recognise.",
        ],
        "wrap": [
            "You did the right thing by asking. Repeated prompts usually mean someone is trying your password."
        ],
        "followups": [
            (
                ["I think I might have approved one by accident.", "What if I already tapped Approve?"],
                [
                    "Please call the service desk now so they can revoke your sessions immediately. Changing your password "
                    "alone doesn't sign out a session that was already approved. You won't get in trouble for reporting it, "
                    "that's exactly what we need you to do."
                ],
            ),
            (
                [
                    "How would they have got my password?",
                    "How did someone get my password in the first place?",
                ],
                [
                    "The most common causes are a phishing page, or the same password being used on another website that "
                    "was breached. Using a unique password for work, ideally stored in a password manager, prevents most of "
                    "these."
                ],
            ),
        ],
    },
    {
        "key": "printer",
        "problem": [
            "The printer on the {floor} floor shows as offline on my laptop.",
            "I can't find {printer} in the list when I try to print.",
            "My print jobs go into the queue and then nothing comes out.",
            "The printer keeps printing pages of random symbols when I send it a PDF.",
        ],
        "detail": [
            "Other people seem to be printing fine.",
            "I'm on a {laptop}.",
            "It worked last week.",
            "I need to print contracts for a meeting at {time}.",
        ],
        "steps": [
            "Check you're on the office network (BL-Corp) and not the guest Wi-Fi, because printers aren't visible from "
            "the guest network.",
            'Open Settings > Bluetooth & devices > Printers & scanners, remove the printer, then click "Add device" '
            "and pick {printer} again.",
            'Clear the stuck jobs: open the printer queue, click "Cancel all documents", then try printing one page.',
            "Print from a different app to check whether the problem is the printer or the file.",
            'Look at the printer\'s screen for a paper jam or a "Toner low" message.',
            "If other people can print and you can't, restart the laptop to reset the print spooler.",
        ],
        "wrap": [
            "If the printer itself shows an error code, tell me the code and I'll get facilities to look at it.",
            "Printers are checked every morning, so a hardware fault will be picked up quickly once it's reported.",
        ],
        "followups": [
            (
                [
                    "How do I print double-sided by default?",
                    "Can I make it print in black and white by default?",
                ],
                [
                    'Open Printers & scanners, choose {printer}, then Printing preferences. Set "Print on both sides" and '
                    '"Black and white" there and click Apply. That becomes the default for every app, and you can still '
                    "change it for a single document."
                ],
            ),
            (
                ["Can I print from my phone?", "Is there a way to print from my personal laptop?"],
                [
                    "Not directly, because personal devices can't reach the printers. Save the document to OneDrive and "
                    "print it from your work laptop, or use one of the shared PCs next to reception."
                ],
            ),
        ],
    },
    {
        "key": "outlook",
        "problem": [
            "Outlook hasn't received any new emails since this morning, but I can see them on my phone.",
            "I got a warning that my mailbox is almost full.",
            'Outlook is stuck on "Updating this folder".',
            "Emails I send are sitting in the Outbox and not going anywhere.",
        ],
        "detail": [
            "I'm using the desktop version of Outlook.",
            "I restarted Outlook twice already.",
            "I'm on a {laptop} with {os}.",
            "I'm expecting an important reply from a customer.",
        ],
        "steps": [
            'Check the status bar at the bottom of Outlook. If it says "Working offline", click Send / Receive > '
            '"Work Offline" to turn it off.',
            "Close Outlook completely, check it's gone from Task Manager, and open it again.",
            "Check your mailbox size under File > Info. Once it's over 95% full, Outlook stops sending.",
            "Empty Deleted Items and move large attachments to OneDrive to free up space.",
            "Try Outlook on the web to confirm the mailbox itself is fine.",
            "If it's still stuck, create a new Outlook profile: Control Panel > Mail > Show Profiles > Add, then set it "
            "as the default.",
        ],
        "wrap": [
            "If Outlook on the web works but the desktop app doesn't, it's the local profile, and a new profile "
            "fixes it."
        ],
        "followups": [
            (
                ["How do I find the biggest emails?", "What's the quickest way to free up space?"],
                [
                    "In the search box, type size:>10MB and press Enter. Outlook lists every message bigger than 10 MB. Save "
                    "the attachments you need to OneDrive, then delete the emails and empty Deleted Items."
                ],
            ),
            (
                ["Can I get a bigger mailbox?", "Is there an archive I can use?"],
                [
                    'Everyone has an online archive with 100 GB of space. It shows up as "Online Archive" under your '
                    "mailbox in Outlook. Drag older folders into it and they stay searchable without counting towards your "
                    "main mailbox limit."
                ],
            ),
        ],
    },
    {
        "key": "share",
        "problem": [
            "I need access to the {share} shared folder for a project.",
            "My S: drive has disappeared from File Explorer.",
            'I get "Access denied" when I open the {share} folder.',
            "A new starter on my team can't see the {share} folder.",
        ],
        "detail": [
            "My manager has already said it's fine.",
            "I'm working from home today.",
            "I could open it last month.",
            "It's for the quarterly planning work.",
        ],
        "steps": [
            "Access to shared folders is controlled by the folder owner, so the request goes through the IT portal: "
            "Request something > File share access, then pick {share}.",
            "The folder owner approves it, and access applies within an hour of approval.",
            "After you're added, sign out of Windows and back in so your new group membership is picked up.",
            "If the drive letter is missing, connect to the VPN first, then restart the laptop so the drive is "
            "remapped.",
            "You can also open the folder directly by typing \\\\files.brightline.example\\{share} in the File "
            "Explorer address bar.",
        ],
        "wrap": ["You'll get a notification from the IT portal as soon as the request is approved."],
        "followups": [
            (
                ["How long does approval usually take?", "Who approves these requests?"],
                [
                    "The folder owner approves it; for {share}, that's the department head. Most requests are approved the "
                    "same day, and you'll get a notification from the IT portal when it's done."
                ],
            ),
            (
                ["Can I map it to a drive letter myself?", "How do I get it to show up as a drive again?"],
                [
                    "Yes. In File Explorer, right-click This PC > Map network drive, pick a letter, enter "
                    '\\\\files.brightline.example\\{share}, and tick "Reconnect at sign-in".'
                ],
            ),
        ],
    },
    {
        "key": "teams_av",
        "problem": [
            "Nobody can hear me in Teams meetings, but my mic works in other apps.",
            "My camera shows a black screen in Teams.",
            "Teams says \"We couldn't find a camera\" even though I'm using my {laptop}'s built-in one.",
            "My headset mic isn't picked up by Teams when the laptop is on the dock.",
        ],
        "detail": [
            "I have a client call at {time}.",
            "It was fine yesterday.",
            "I'm using the new Teams app.",
            "I've already restarted the laptop once.",
        ],
        "steps": [
            "In Teams, click the three dots > Settings > Devices and check the right microphone, speaker and camera are "
            "selected. Teams sometimes switches to the dock or the monitor.",
            'Check Windows privacy settings: Settings > Privacy & security > Microphone (or Camera), and make sure "Let '
            'apps access" is on.',
            "Close any other app that might be using the camera, such as Zoom or the Camera app.",
            "Unplug the headset and plug it straight into the laptop instead of the dock.",
            "Quit Teams completely from the system tray and start it again.",
            'Use "Make a test call" under Settings > Devices to check everything before your next meeting.',
        ],
        "wrap": ["The device selection in Teams is the culprit most of the time, so start there."],
        "followups": [
            (
                [
                    "The camera works in the Camera app but still not in Teams.",
                    "Still black in Teams but fine elsewhere.",
                ],
                [
                    "Then it's Teams itself. Clear its cache: quit Teams, go to Settings > Apps > Installed apps, find "
                    'Microsoft Teams, open Advanced options and click "Reset". Start Teams again and sign in once more.'
                ],
            ),
            (
                ["Can I blur my background?", "How do I turn on background effects?"],
                [
                    'Yes. Before joining a meeting, click "Effects and avatars" on the pre-join screen and choose Blur. '
                    "During a meeting, it's under More > Video effects."
                ],
            ),
        ],
    },
    {
        "key": "slow",
        "problem": [
            "My laptop has become really slow over the last week.",
            'I\'m getting a "Low disk space" warning on my C: drive.',
            "My {laptop}'s fan runs constantly and everything takes ages to open.",
            "It takes about ten minutes for my laptop to start up.",
        ],
        "detail": [
            "It's a {laptop} running {os}.",
            "I usually have Chrome, Excel and Teams open.",
            "I haven't installed anything new.",
            "It's about three years old.",
        ],
        "steps": [
            "Restart the laptop properly (Start > Power > Restart, not just closing the lid). Many updates only finish "
            "on a restart.",
            "Open Task Manager (Ctrl+Shift+Esc) and sort by CPU and Memory to see what's using the most.",
            "Check disk space in File Explorer. Below about 10 GB free, Windows slows down a lot.",
            'Run Disk Cleanup, tick "Temporary files" and "Windows Update Cleanup", and click OK.',
            'Move large files in Downloads and Desktop to OneDrive and set them to "Free up space".',
            "Check for pending updates under Settings > Windows Update and install them.",
        ],
        "wrap": ["If it's still slow after all that, we can book it in for a health check."],
        "followups": [
            (
                [
                    'Task Manager shows "Antimalware Service Executable" using a lot of CPU.',
                    "Something called MsMpEng is using half my CPU.",
                ],
                [
                    "That's Microsoft Defender running a scheduled scan, and it usually finishes within an hour. If it "
                    "happens every day at a bad time, let me know and we can move the scan to lunchtime."
                ],
            ),
            (
                ["What can I safely delete?", "Is it safe to clear out my Downloads folder?"],
                [
                    "Anything in Downloads that you've saved elsewhere, temporary files and old installers are safe to "
                    "remove. Don't delete anything under C:\\Windows or C:\\Program Files by hand; use Disk Cleanup for "
                    "those."
                ],
            ),
            (
                ["Should I just ask for a new laptop?", "Is my laptop due for replacement?"],
                [
                    "Laptops are replaced every four years. If yours is older than that, raise a request in the IT portal "
                    "under Hardware > Laptop replacement and we'll check the asset record."
                ],
            ),
        ],
    },
    {
        "key": "wifi",
        "problem": [
            "The office Wi-Fi keeps dropping out on my laptop every few minutes.",
            "I can't connect to BL-Corp. It just says \"Can't connect to this network\".",
            "Wi-Fi in the {floor} floor meeting rooms is really slow.",
            "My laptop keeps joining BL-Guest instead of the corporate network.",
        ],
        "detail": [
            "My colleagues seem fine.",
            "It's a {laptop}.",
            "It started after the last Windows update.",
            "It's worse in the afternoons.",
        ],
        "steps": [
            "Forget the network: Settings > Network & internet > Wi-Fi > Manage known networks, select BL-Corp and "
            "click Forget, then connect again.",
            "Make sure you're connecting to BL-Corp, not BL-Guest. BL-Corp signs you in automatically with your device "
            "certificate.",
            "Toggle airplane mode on for ten seconds and then off again.",
            'Update the wireless driver from Company Portal > Apps > "Intel Wireless Driver".',
            "If it only happens in one spot, note the room name so we can check the access point there.",
            "Plug into a network port on a desk or dock to confirm the laptop itself is fine.",
        ],
        "wrap": [
            "If the wired connection is fine, the problem is the wireless side, and we'll take it from there."
        ],
        "followups": [
            (
                [
                    "It only drops in the {room} meeting room.",
                    "It's just in the big meeting room, everywhere else is fine.",
                ],
                [
                    "Thanks, that's really useful. It sounds like the access point in that room is overloaded or faulty. "
                    "I've raised it with the network team so they can check it. Until then, a wired connection from the "
                    "room's dock is the reliable option."
                ],
            ),
            (
                ["Can my personal phone use BL-Corp?", "Which Wi-Fi should visitors use?"],
                [
                    "No, BL-Corp is only for company devices. Personal phones and visitors should use BL-Guest, which gives "
                    "internet access but not internal systems. The guest password is on the screens at reception and changes "
                    "every Monday."
                ],
            ),
        ],
    },
    {
        "key": "software",
        "problem": [
            "I need {software} installed for a project, but I don't have admin rights.",
            "How do I get {software} on my laptop?",
            "Windows says I need an administrator password to install {software}.",
        ],
        "detail": [
            "My manager is happy for me to have it.",
            "I need it by the end of the week.",
            "I used it in my last job.",
            "It's a {laptop}.",
        ],
        "steps": [
            "Open Company Portal from the Start menu and search for {software}. Most approved apps install from there "
            "without admin rights.",
            "If it isn't in Company Portal, raise a software request in the IT portal with a short business reason.",
            "Paid software needs your manager's approval for the licence cost before we can install it.",
            "Once it's approved, it appears in Company Portal, usually within one working day.",
            "Please don't download installers from the internet, as they're blocked and flagged by security.",
        ],
        "wrap": [
            "For {software} specifically, check Company Portal first; there's a good chance it's already there."
        ],
        "followups": [
            (
                [
                    "It's not in Company Portal. How long will the request take?",
                    "How long do software requests usually take?",
                ],
                [
                    "Free and already-approved software is usually done within a day. Anything new goes through a quick "
                    "security review first, which takes about three to five working days."
                ],
            ),
            (
                ["Can I just get admin rights on my laptop?", "Why can't I have local admin?"],
                [
                    "Local admin rights aren't given out by default, because they make it much easier for malware to take "
                    "hold. Developers can request a separate admin account with a business justification, and it's reviewed "
                    "every six months."
                ],
            ),
        ],
    },
    {
        "key": "bitlocker",
        "problem": [
            "My laptop is asking for a BitLocker recovery key after a BIOS update.",
            "I turned on my laptop and there's a blue screen asking for a 48-digit recovery key.",
            "The BitLocker recovery screen came up after I docked my laptop at a hot desk.",
        ],
        "detail": [
            "It's a {laptop}.",
            "I'm in the office today.",
            "I haven't changed anything myself.",
            "I need to get into my files before {time}.",
        ],
        "steps": [
            "Don't try random numbers. The key is stored against your device, so you won't lose any data.",
            "On your phone or another computer, go to myaccount.microsoft.com > Devices, find your laptop and click "
            '"View BitLocker keys".',
            "Match the Key ID shown on the blue screen with the one on the page, then type the 48-digit recovery key.",
            "If the device isn't listed, call the service desk. They can read the key out to you once they've "
            "verified who you are.",
            "After the laptop starts, restart it once more to check it doesn't ask again.",
        ],
        "wrap": ["This is a security feature working as intended, and your data is safe."],
        "followups": [
            (
                ["Why did this happen?", "What triggers the recovery screen?"],
                [
                    "BitLocker asks for the recovery key when it sees a change to the hardware or firmware that it doesn't "
                    "expect, such as a BIOS update, a new docking station, or booting from USB. It stops someone reading the "
                    "disk if the laptop is stolen."
                ],
            ),
            (
                [
                    "It keeps asking every time I restart.",
                    "It's asking for the key again after every reboot.",
                ],
                [
                    "That means the security chip (TPM) didn't save the new configuration. Please raise a ticket so we can "
                    "suspend and resume BitLocker remotely; it takes about five minutes and needs one restart."
                ],
            ),
        ],
    },
    {
        "key": "monitor",
        "problem": [
            "My second monitor isn't detected when I plug my laptop into the dock.",
            "The external screen flickers and goes black every few seconds.",
            "My {laptop} only shows one of my two monitors on the dock.",
            'The monitor says "No signal" even though the dock light is on.',
        ],
        "detail": [
            "It's a hot desk on the {floor} floor.",
            "It worked fine on Friday.",
            "I'm using a USB-C dock.",
            "I've tried unplugging everything already.",
        ],
        "steps": [
            "Unplug the dock's power cable for 30 seconds, plug it back in, then reconnect the laptop.",
            'Press Win+P and choose "Extend".',
            'Open Settings > System > Display and click "Detect" under Multiple displays.',
            "Try a different cable, or plug the monitor straight into the laptop to see whether the dock is the "
            "problem.",
            "Update the dock firmware and display driver from Company Portal.",
            "Check the monitor's input source is set to the port you're using (HDMI or DisplayPort).",
        ],
        "wrap": ["If it works directly but not through the dock, the dock needs replacing."],
        "followups": [
            (
                [
                    "I tried plugging the monitor straight into the laptop and it works.",
                    "Plugged directly into the laptop it's fine, so it's the dock?",
                ],
                [
                    "Yes, that points to the dock. Please raise a hardware request in the IT portal with the dock's asset "
                    "tag (the sticker underneath), and we'll swap it. In the meantime, use the laptop's HDMI port for one of "
                    "the screens."
                ],
            ),
            (
                ["The second screen looks blurry.", "Text is fuzzy on my external monitor."],
                [
                    "Go to Settings > System > Display, select the external monitor, and set the resolution to the one marked "
                    '"Recommended". Then set Scale to 100% for that monitor. Blurry text is usually a non-native '
                    "resolution."
                ],
            ),
        ],
    },
    {
        "key": "phishing",
        "problem": [
            "I got an email saying my mailbox will be deleted unless I click a link. Is that real?",
            "Someone pretending to be our CEO emailed me asking me to buy gift cards.",
            "I think I clicked a link in a dodgy email. What do I do?",
            "We received an invoice from a supplier with new bank details, and it looks a bit off.",
        ],
        "detail": [
            "It came from an outside address.",
            "It has our logo on it.",
            "A colleague got the same one.",
            "The sender's name looks right but the address is weird.",
        ],
        "steps": [
            "Don't click any links or open attachments in the email.",
            'Use the "Report phishing" button in Outlook, which sends it to the security team and removes it from your '
            "inbox.",
            "If you clicked a link or entered your password, change your password right away and tell the service "
            "desk, so we can check your account.",
            "For payment or bank detail changes, always confirm with the supplier by phone, using a number you already "
            "have, not one from the email.",
            "Real IT messages never ask for your password or threaten to delete your mailbox.",
        ],
        "wrap": ["Thanks for checking rather than clicking. That's exactly the right instinct."],
        "followups": [
            (
                [
                    "I entered my password on the page before I realised.",
                    "I already typed my login details in.",
                ],
                [
                    "Thanks for telling us straight away, that's exactly the right thing to do. Change your password now, "
                    "then call the service desk so we can sign you out of all sessions and check for any forwarding rules "
                    "the attacker might have added."
                ],
            ),
            (
                ["How can I spot these in future?", "Any tips for recognising phishing?"],
                [
                    "Look for urgency or threats, a sender address that doesn't quite match, links that go somewhere "
                    "unexpected when you hover over them, and requests for passwords, payments or gift cards. The "
                    '"External sender" banner is also a good hint when someone claims to be internal.'
                ],
            ),
        ],
    },
    {
        "key": "onedrive",
        "problem": [
            "OneDrive has a red X on some of my files and says they can't sync.",
            "My Desktop files aren't showing up on my new laptop.",
            'OneDrive says "You\'re out of storage space".',
            "OneDrive keeps asking me to sign in.",
        ],
        "detail": [
            "It's mostly Excel files.",
            "I'm on a {laptop}.",
            "I work from home and the office.",
            "Some of the files are quite big, like videos from site visits.",
        ],
        "steps": [
            "Click the OneDrive cloud icon in the taskbar to see which files have problems and why.",
            "Rename files that OneDrive can't handle, such as names with a leading space or very long folder paths.",
            "Check that Desktop, Documents and Pictures are included under OneDrive Settings > Sync and back up > "
            "Manage back up.",
            'Close any file that\'s open in another app, then click "Try again".',
            'If it\'s stuck, right-click the OneDrive icon > Settings > Account > "Unlink this PC" and sign in again. '
            "Your files stay safe in the cloud.",
        ],
        "wrap": ["OneDrive usually catches up within a few minutes once the problem files are fixed."],
        "followups": [
            (
                [
                    "Is it safe to unlink OneDrive? I don't want to lose anything.",
                    "Will unlinking delete my files?",
                ],
                [
                    "Yes, it's safe. Unlinking only disconnects this laptop, and everything stays in OneDrive online. After "
                    "you sign in again, OneDrive re-checks the local folder and carries on syncing. Just don't delete the "
                    "local OneDrive folder yourself."
                ],
            ),
            (
                ["How much storage do we get?", "What's my OneDrive limit?"],
                [
                    "Everyone has 1 TB of OneDrive storage. If you're close to that, it's usually large videos or old "
                    "backups, and we can help you move project files to a shared Teams site instead."
                ],
            ),
        ],
    },
    {
        "key": "new_starter",
        "problem": [
            "I'm starting on Monday and just got my {laptop}. What do I need to do first?",
            "My new laptop arrived at home. How do I set it up?",
            "It's my first day today, and I'm not sure which apps I should have.",
        ],
        "detail": [
            "I'm joining the operations team.",
            "I'll be working remotely most of the time.",
            "I have my welcome letter with the temporary password.",
        ],
        "steps": [
            "Connect to your home Wi-Fi and sign in with the temporary password from your welcome letter, then set "
            "your own password.",
            "Set up Microsoft Authenticator on your phone when prompted; you'll need it for every sign-in.",
            "Leave the laptop plugged in and connected for about an hour while Company Portal installs the standard "
            "apps.",
            "Open Outlook and Teams and check they sign in automatically.",
            "Install any team-specific apps from Company Portal, and request anything else through the IT portal.",
            "Book a 15-minute IT welcome call from the IT portal if you'd like a walkthrough.",
        ],
        "wrap": ["Welcome aboard! Shout if anything doesn't look right."],
        "followups": [
            (
                ["Which apps get installed automatically?", "What's included in the standard setup?"],
                [
                    "Microsoft 365 (Outlook, Teams, Word, Excel, PowerPoint and OneDrive), Edge and Chrome, {vpn}, Company "
                    "Portal, Adobe Reader and the security tools. Anything else is available from Company Portal or on "
                    "request."
                ],
            ),
            (
                ["Can I use my own monitor at home?", "Can I connect my personal keyboard and mouse?"],
                [
                    "Yes, personal monitors, keyboards and mice are fine. Just don't connect personal USB storage, as it's "
                    "blocked for security reasons."
                ],
            ),
        ],
    },
    {
        "key": "excel",
        "problem": [
            "Excel crashes every time I open one particular spreadsheet.",
            "Excel freezes when I try to copy and paste large ranges.",
            "Excel says the file is corrupted and can't be opened.",
            'Excel keeps showing "Not responding" with one workbook.',
        ],
        "detail": [
            "It's the monthly freight cost report.",
            "Other workbooks open fine.",
            "The file is on the S: drive.",
            "A colleague can open it on their laptop.",
        ],
        "steps": [
            "Open Excel in safe mode by holding Ctrl while you start it. If the file opens, an add-in is the likely "
            "cause.",
            'Go to File > Options > Add-ins, choose "COM Add-ins" from the Manage list, and untick them one at a time.',
            'Try File > Open > Browse, select the file, then use the arrow next to Open and choose "Open and Repair".',
            "Check whether the file is very large or has thousands of formulas that link to other workbooks.",
            "Make sure Office is up to date under File > Account > Update Options.",
            "If it's on a shared drive, copy it to your laptop first and open the local copy.",
        ],
        "wrap": ["If the file really is damaged, we can usually get yesterday's version back."],
        "followups": [
            (
                ["I tried safe mode and the file opens fine.", "It works in safe mode. So it's an add-in?"],
                [
                    "Most likely, yes. The usual suspects are old PDF add-ins and the finance reporting add-in. Disable them "
                    "one at a time under File > Options > Add-ins > COM Add-ins, restarting Excel normally after each change, "
                    "until you find the one causing it."
                ],
            ),
            (
                [
                    "Can I get back an older version of the file?",
                    "Is there a way to restore yesterday's version?",
                ],
                [
                    'If it\'s on OneDrive or SharePoint, right-click the file and choose "Version history" to open or restore '
                    "any earlier version. For files on the shared drives, right-click > Properties > Previous Versions shows "
                    "the nightly snapshots."
                ],
            ),
        ],
    },
    {
        "key": "lost_laptop",
        "problem": [
            "I think I left my laptop on the train this morning.",
            "My work laptop was stolen from my car last night.",
            "I can't find my laptop anywhere after the conference.",
        ],
        "detail": [
            "It's a {laptop}.",
            "I was signed in to everything.",
            "I've already called the train company.",
            "I have meetings all afternoon.",
        ],
        "steps": [
            "Report it to the service desk by phone straight away, so we can lock the laptop remotely and wipe it if "
            "needed.",
            "Your data is protected by BitLocker encryption, so whoever has it can't read the disk.",
            "If it was stolen, report it to the police and send us the crime reference number.",
            "Change your password as a precaution, in case it was saved in the browser.",
            "We'll arrange a loan laptop so you can keep working, usually on the same or the next working day.",
        ],
        "wrap": ["Don't worry, this happens more often than you'd think, and the laptop is well protected."],
        "followups": [
            (
                [
                    "I found it! It was at the hotel reception.",
                    "Good news, the train company had it in lost property.",
                ],
                [
                    "Great news! Please bring it to the service desk or call us before you use it, as we'll have locked it "
                    "remotely and need to unlock it. We'll also do a quick check that it hasn't been tampered with."
                ],
            ),
            (
                ["Will I lose all my files?", "What happens to my documents?"],
                [
                    "Anything in OneDrive, Teams or the shared drives is safe and will be there on the loan laptop as soon as "
                    "you sign in. Only files saved locally outside OneDrive would be lost, which is why Desktop and "
                    "Documents are synced by default."
                ],
            ),
        ],
    },
    {
        "key": "calendar",
        "problem": [
            "How do I let my assistant manage my calendar?",
            "I can't book the {room} meeting room in Outlook. It says I don't have permission.",
            "My colleague can only see free/busy on my calendar, not the meeting details.",
        ],
        "detail": [
            "I'm using Outlook on a {laptop}.",
            "I need this sorted before next week.",
            "It's for a recurring team meeting.",
        ],
        "steps": [
            'In Outlook, go to Calendar, right-click your calendar and choose "Sharing and permissions".',
            'Add the person and choose the permission level: "Can view all details", "Can edit" or "Delegate".',
            "Delegates can accept meeting invitations for you and receive copies of meeting requests.",
            "Rooms with restricted booking, like the boardroom, need approval from reception, so the booking shows as "
            "tentative until it's accepted.",
            "To book a room, add it through Room Finder in a new meeting rather than inviting it by name.",
        ],
        "wrap": ["Permission changes take effect within a few minutes."],
        "followups": [
            (
                [
                    "Can I share my calendar with someone outside the company?",
                    "Can a client see my availability?",
                ],
                [
                    'Yes, but only free/busy information. In Sharing and permissions, add their address and choose "Can '
                    "view when I'm busy\". Full details can't be shared externally."
                ],
            ),
            (
                ["Can my assistant send invites on my behalf?", "How do delegates send meetings for me?"],
                [
                    'Yes. Once they\'re a delegate with "Can edit" access, they can open your calendar, create the meeting '
                    'there, and it goes out as "sent on behalf of" you.'
                ],
            ),
        ],
    },
]

# Each task: how users ask for it, one or two implementations (code, explanation), tests that the script runs against
# every implementation before writing anything, and answers for the usual follow-up questions.
CODE_TASKS: list[dict[str, Any]] = [
    {
        "name": "is_palindrome",
        "asks": [
            "Write a Python function that checks whether a string is a palindrome, ignoring case, spaces and "
            "punctuation.",
            "How do I check if a sentence is a palindrome in Python? It should ignore punctuation and capitals.",
        ],
        "impls": [
            (
                """def is_palindrome(text: str) -> bool:
    cleaned = [ch.lower() for ch in text if ch.isalnum()]
    return cleaned == cleaned[::-1]""",
                "It keeps only letters and digits, lower-cases them, and compares the list with its reverse. Spaces and "
                'punctuation are ignored, so "A man, a plan, a canal: Panama" counts as a palindrome.',
            ),
            (
                """def is_palindrome(text: str) -> bool:
    left, right = 0, len(text) - 1
    while left < right:
        if not text[left].isalnum():
            left += 1
        elif not text[right].isalnum():
            right -= 1
        elif text[left].lower() != text[right].lower():
            return False
        else:
            left += 1
            right -= 1
    return True""",
                "Two pointers walk towards the middle and skip anything that isn't a letter or digit, so it never builds a "
                "cleaned copy of the string and uses constant extra memory.",
            ),
        ],
        "tests": 'assert is_palindrome("A man, a plan, a canal: Panama")\nassert not is_palindrome("hello")\n'
        'assert is_palindrome("")',
        "complexity": "O(n) time for a string of length n. The list version also uses O(n) extra memory for the "
        "cleaned copy; the two-pointer version uses O(1).",
        "edge": "An empty string, or one made only of punctuation, returns True because it reads the same both ways. "
        "If you'd rather treat that as invalid input, add an explicit check at the top.",
    },
    {
        "name": "top_words",
        "asks": [
            "I need a function that returns the n most common words in a piece of text, with their counts.",
            "How can I count word frequencies in a string and get the top 10 in Python?",
        ],
        "impls": [
            (
                """import re
from collections import Counter


def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    words = re.findall(r"[a-z']+", text.lower())
    return Counter(words).most_common(n)""",
                're.findall pulls out the words (keeping apostrophes, so "don\'t" stays one word), and '
                "Counter.most_common returns the n most frequent as (word, count) pairs, most frequent first.",
            ),
            (
                """def top_words(text: str, n: int = 10) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for raw in text.lower().split():
        word = raw.strip(".,!?;:\\"()[]")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]""",
                "This one avoids imports: it splits on whitespace, strips punctuation from the ends of each word and counts "
                "with a plain dict. Sorting by negative count and then alphabetically gives ties a predictable order.",
            ),
        ],
        "tests": 'assert top_words("the cat and the hat", 1) == [("the", 2)]\nassert top_words("", 3) == []',
        "complexity": "Counting is O(n) in the number of words. Picking the top n from m distinct words is "
        "O(m log n) with most_common, and O(m log m) in the sorted version.",
        "edge": "Empty text returns an empty list. Numbers are dropped by the regex version but kept by the split "
        "version, so pick whichever matches your data.",
    },
    {
        "name": "flatten",
        "asks": [
            "Write a function to flatten an arbitrarily nested list, like [1, [2, [3, 4]], 5].",
            "How do I flatten a list of lists of lists (any depth) in Python?",
        ],
        "impls": [
            (
                """def flatten(items: list) -> list:
    result = []
    for item in items:
        if isinstance(item, list):
            result.extend(flatten(item))
        else:
            result.append(item)
    return result""",
                "It walks the list and, whenever an element is itself a list, flattens that recursively and splices the "
                "result in. Everything else is appended as-is, so strings and tuples are left alone.",
            ),
            (
                """def flatten(items: list) -> list:
    result = []
    stack = [iter(items)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            result.append(item)
        else:
            stack.pop()
    return result""",
                "This iterative version keeps a stack of iterators instead of recursing, so it can't hit Python's "
                "recursion limit on very deeply nested input, and it still preserves the original order.",
            ),
        ],
        "tests": "assert flatten([1, [2, [3, 4]], 5]) == [1, 2, 3, 4, 5]\nassert flatten([]) == []\n"
        "assert flatten([[], [[]]]) == []",
        "complexity": "O(n), where n is the total number of elements at all levels of nesting.",
        "edge": "Only lists are flattened; tuples and strings are treated as single values. Nesting deeper than about "
        "1,000 levels hits the recursion limit in the recursive version, which the stack version avoids.",
    },
    {
        "name": "chunked",
        "asks": [
            "How do I split a list into chunks of a given size in Python?",
            "Write a helper that breaks a list into batches of n items, with a shorter last batch if needed.",
        ],
        "impls": [
            (
                """def chunked(items: list, size: int) -> list[list]:
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]""",
                "It slices the list in steps of size. The last chunk is shorter when the length isn't a multiple of "
                "size.",
            ),
            (
                """from itertools import islice


def chunked(items, size: int):
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk""",
                "This generator works on any iterable, including files and other generators, because it pulls size items "
                "at a time with islice and stops when a chunk comes back empty. On Python 3.12+ you can use "
                "itertools.batched instead.",
            ),
        ],
        "tests": "assert list(chunked([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]\n"
        "assert list(chunked([], 3)) == []",
        "complexity": "O(n) overall; every element is copied into a chunk once.",
        "edge": "A size of 0 or less raises ValueError, because it would otherwise loop forever or return nonsense. "
        "An empty input gives no chunks at all.",
    },
    {
        "name": "dedupe",
        "asks": [
            "How do I remove duplicates from a list but keep the original order?",
            "Write a function that removes duplicate values from a list while preserving order.",
        ],
        "impls": [
            (
                """def dedupe(items: list) -> list:
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result""",
                "A set remembers what has already been seen, and the result list keeps the order of first appearance.",
            ),
            (
                """def dedupe(items: list) -> list:
    return list(dict.fromkeys(items))""",
                "dict.fromkeys keeps insertion order (guaranteed since Python 3.7), so turning its keys back into a list "
                "removes duplicates and preserves order in one line.",
            ),
        ],
        "tests": "assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]\nassert dedupe([]) == []",
        "complexity": "O(n) on average, since set and dict lookups are O(1).",
        "edge": "The items must be hashable. For a list of dicts or lists, convert each item to a hashable key first, "
        "such as a tuple of its values.",
    },
    {
        "name": "merge_sorted",
        "asks": [
            "Write a function that merges two sorted lists into one sorted list without calling sort().",
            "What's an efficient way to merge two already-sorted lists in Python?",
        ],
        "impls": [
            (
                """def merge_sorted(a: list[int], b: list[int]) -> list[int]:
    result = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            result.append(a[i])
            i += 1
        else:
            result.append(b[j])
            j += 1
    result.extend(a[i:])
    result.extend(b[j:])
    return result""",
                "Two indexes walk through the lists, always taking the smaller head element. When one list runs out, the "
                "rest of the other is already sorted and gets appended in one go.",
            ),
            (
                """import heapq


def merge_sorted(a: list[int], b: list[int]) -> list[int]:
    return list(heapq.merge(a, b))""",
                "heapq.merge does exactly this, lazily, and works for any number of sorted inputs, so there's no need to "
                "write the loop yourself.",
            ),
        ],
        "tests": "assert merge_sorted([1, 4, 9], [2, 3, 10]) == [1, 2, 3, 4, 9, 10]\n"
        "assert merge_sorted([], [1]) == [1]",
        "complexity": "O(len(a) + len(b)), which beats concatenating and sorting (O(n log n)).",
        "edge": "If either list is empty you get a copy of the other. Both inputs must already be sorted, otherwise "
        "the output won't be either.",
    },
    {
        "name": "binary_search",
        "asks": [
            "Can you implement binary search in Python? Return the index, or -1 if the value isn't there.",
            "Write a binary search function over a sorted list of integers.",
        ],
        "impls": [
            (
                """def binary_search(items: list[int], target: int) -> int:
    low, high = 0, len(items) - 1
    while low <= high:
        mid = (low + high) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1""",
                "Each step compares the middle element with the target and throws away the half that can't contain it.",
            ),
            (
                """from bisect import bisect_left


def binary_search(items: list[int], target: int) -> int:
    index = bisect_left(items, target)
    if index < len(items) and items[index] == target:
        return index
    return -1""",
                "bisect_left finds where the target would be inserted; if the element at that position equals the "
                "target, it's present. It also guarantees the first occurrence when there are duplicates.",
            ),
        ],
        "tests": "assert binary_search([1, 3, 5, 7, 9], 7) == 3\nassert binary_search([1, 3, 5], 4) == -1\n"
        "assert binary_search([], 1) == -1",
        "complexity": "O(log n) comparisons for a sorted list of length n.",
        "edge": "The list has to be sorted. With duplicates, the loop version can return any matching index, while the "
        "bisect version always returns the first one.",
    },
    {
        "name": "is_hex_colour",
        "asks": [
            "How do I validate a hex colour code like #1a2b3c or #fff in Python?",
            "Write a function that checks whether a string is a valid CSS hex colour.",
        ],
        "impls": [
            (
                """import re


def is_hex_colour(value: str) -> bool:
    return re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value) is not None""",
                "fullmatch requires the whole string to match: a # followed by either 3 or 6 hex digits.",
            ),
            (
                """def is_hex_colour(value: str) -> bool:
    if not value.startswith("#") or len(value) not in (4, 7):
        return False
    return all(ch in "0123456789abcdefABCDEF" for ch in value[1:])""",
                "Without a regex: check the leading #, check the length is 4 or 7, then check every remaining character "
                "is a hex digit.",
            ),
        ],
        "tests": 'assert is_hex_colour("#1a2B3c")\nassert is_hex_colour("#fff")\nassert not is_hex_colour("123456")\n'
        'assert not is_hex_colour("#12345g")',
        "complexity": "Effectively O(1), since a valid value is at most 7 characters long.",
        "edge": "Forms with an alpha channel (#rgba and #rrggbbaa) are rejected; allow lengths 5 and 9 as well if you "
        "need them.",
    },
    {
        "name": "parse_pairs",
        "asks": [
            'I have strings like "host=db1; port=5432; debug". How do I turn them into a dict?',
            "Write a function that parses semicolon-separated key=value pairs into a dictionary.",
        ],
        "impls": [
            (
                """def parse_pairs(text: str) -> dict[str, str]:
    result = {}
    for chunk in text.split(";"):
        if "=" not in chunk:
            continue
        key, value = chunk.split("=", 1)
        result[key.strip()] = value.strip()
    return result""",
                'Splitting on ";" gives each pair, and split("=", 1) only splits on the first =, so values that contain = '
                "themselves survive intact. Chunks without an = are skipped.",
            ),
            (
                """def parse_pairs(text: str) -> dict[str, str]:
    pairs = (chunk.partition("=") for chunk in text.split(";"))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}""",
                "str.partition returns (key, separator, value), and the separator is empty when there's no =, which makes "
                "it easy to skip malformed chunks in a single comprehension.",
            ),
        ],
        "tests": 'assert parse_pairs("host=db1; port=5432; debug") == {"host": "db1", "port": "5432"}\n'
        'assert parse_pairs("") == {}',
        "complexity": "O(n) in the length of the string.",
        "edge": "Later duplicate keys overwrite earlier ones, and every value stays a string, so convert types (for "
        "example int(port)) where you use them.",
    },
    {
        "name": "slugify",
        "asks": [
            "How do I turn a blog post title into a URL slug in Python?",
            'Write a slugify function: "Hello, World!" should become "hello-world".',
        ],
        "impls": [
            (
                """import re
import unicodedata


def slugify(title: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-zA-Z0-9]+", "-", ascii_text).strip("-").lower()""",
                "NFKD normalisation splits accented letters into a base letter plus an accent, and encoding to ASCII with "
                "errors ignored drops the accents. Then every run of other characters becomes a single hyphen.",
            ),
        ],
        "tests": 'assert slugify("Hello, World!") == "hello-world"\nassert slugify("  D\u00e9j\u00e0 vu  ") == "deja-vu"',
        "complexity": "O(n) in the length of the title.",
        "edge": "A title made only of symbols, or written in a non-Latin script, becomes an empty string, so keep a "
        "fallback such as the post ID.",
    },
    {
        "name": "roman_to_int",
        "asks": [
            "Write a function that converts a Roman numeral like MCMXCIV to an integer.",
            "How can I parse Roman numerals into integers in Python?",
        ],
        "impls": [
            (
                """def roman_to_int(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for current, following in zip(numeral, numeral[1:] + " "):
        value = values[current]
        if following != " " and values[following] > value:
            total -= value
        else:
            total += value
    return total""",
                "A numeral is subtracted when a larger one follows it (like the I in IV or the C in CM) and added "
                "otherwise. Pairing each character with the next one makes that check simple.",
            ),
            (
                """def roman_to_int(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    previous = 0
    for char in reversed(numeral.upper()):
        value = values[char]
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total""",
                "Scanning from the right, each value is added unless it's smaller than the largest value seen so far, in "
                "which case it's a subtractive prefix.",
            ),
        ],
        "tests": 'assert roman_to_int("MCMXCIV") == 1994\nassert roman_to_int("IX") == 9\n'
        'assert roman_to_int("LVIII") == 58',
        "complexity": "O(n) in the length of the numeral.",
        "edge": "Invalid characters raise KeyError. Neither version checks that the numeral is well formed (IIII or VX "
        "are accepted), so validate separately if the input comes from users.",
    },
    {
        "name": "int_to_roman",
        "asks": [
            "How do I convert an integer to a Roman numeral in Python?",
            "Write int_to_roman(n) for numbers from 1 to 3999.",
        ],
        "impls": [
            (
                """def int_to_roman(number: int) -> str:
    if not 0 < number < 4000:
        raise ValueError("number must be between 1 and 3999")
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    parts = []
    for value, symbol in table:
        count, number = divmod(number, value)
        parts.append(symbol * count)
    return "".join(parts)""",
                "Putting the subtractive pairs (900, 400, 90 and so on) in the table means a simple greedy loop gives the "
                "right answer: divmod says how many of each symbol fit, and the remainder carries on to the next one.",
            ),
        ],
        "tests": 'assert int_to_roman(1994) == "MCMXCIV"\nassert int_to_roman(4) == "IV"\n'
        'assert int_to_roman(3999) == "MMMCMXCIX"',
        "complexity": "O(1): the table has 13 entries and the output is at most 15 characters long.",
        "edge": "Roman numerals have no zero or negative numbers, and standard notation stops at 3999, hence the "
        "ValueError.",
    },
    {
        "name": "run_length_encode",
        "asks": [
            'Write a run-length encoder: "aaabccdddd" should become "3a1b2c4d".',
            "How do I do simple run-length encoding of a string in Python?",
        ],
        "impls": [
            (
                """def run_length_encode(text: str) -> str:
    if not text:
        return ""
    parts = []
    current, count = text[0], 1
    for char in text[1:]:
        if char == current:
            count += 1
        else:
            parts.append(f"{count}{current}")
            current, count = char, 1
    parts.append(f"{count}{current}")
    return "".join(parts)""",
                "It tracks the current character and how many times in a row it has appeared, writing out the count and "
                "character whenever the run changes, and once more at the end.",
            ),
            (
                """from itertools import groupby


def run_length_encode(text: str) -> str:
    return "".join(f"{len(list(group))}{char}" for char, group in groupby(text))""",
                "itertools.groupby groups consecutive equal characters, which is exactly what run-length encoding "
                "needs.",
            ),
        ],
        "tests": 'assert run_length_encode("aaabccdddd") == "3a1b2c4d"\nassert run_length_encode("") == ""',
        "complexity": "O(n) in the length of the string.",
        "edge": 'If the text contains digits, the encoding becomes ambiguous ("11a" could be eleven a\'s or a 1 '
        "followed by an a). Use a separator, or return (count, char) pairs, in that case.",
    },
    {
        "name": "group_anagrams",
        "asks": [
            "Given a list of words, how do I group the ones that are anagrams of each other?",
            "Write a function that groups anagrams together, e.g. listen/silent/enlist.",
        ],
        "impls": [
            (
                """from collections import defaultdict


def group_anagrams(words: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for word in words:
        groups["".join(sorted(word.lower()))].append(word)
    return list(groups.values())""",
                "Two words are anagrams when their sorted letters are the same, so the sorted letters make a good "
                "dictionary key. defaultdict(list) creates each group on first use, and the groups come out in the order "
                "they were first seen.",
            ),
        ],
        "tests": 'assert group_anagrams(["listen", "silent", "enlist", "google"]) == '
        '[["listen", "silent", "enlist"], ["google"]]',
        "complexity": "O(n * k log k) for n words of length up to k, because each word is sorted once.",
        "edge": 'Case is ignored because of lower(), but spaces aren\'t, so "dormitory" and "dirty room" only match '
        "if you remove spaces first.",
    },
    {
        "name": "second_largest",
        "asks": [
            "How do I find the second largest distinct number in a list?",
            "Write second_largest(numbers) that returns None when there isn't one.",
        ],
        "impls": [
            (
                """def second_largest(numbers: list[int]) -> int | None:
    distinct = sorted(set(numbers), reverse=True)
    return distinct[1] if len(distinct) > 1 else None""",
                "Converting to a set removes duplicates, so [4, 4, 3] gives 3 rather than 4, and sorting in descending "
                "order puts the answer at index 1.",
            ),
            (
                """def second_largest(numbers: list[int]) -> int | None:
    first = second = None
    for n in numbers:
        if first is None or n > first:
            first, second = n, first
        elif n != first and (second is None or n > second):
            second = n
    return second""",
                "This keeps the top two distinct values in a single pass, without sorting.",
            ),
        ],
        "tests": "assert second_largest([4, 1, 4, 3]) == 3\nassert second_largest([7]) is None\n"
        "assert second_largest([2, 2]) is None",
        "complexity": "The sorting version is O(n log n); the single-pass version is O(n) with O(1) extra memory.",
        "edge": "With fewer than two distinct values, both versions return None instead of raising, so check for None "
        "where you use the result.",
    },
    {
        "name": "rotate_clockwise",
        "asks": [
            "How do I rotate a matrix (list of lists) 90 degrees clockwise in Python?",
            "Write a function to rotate a 2D grid by 90 degrees clockwise.",
        ],
        "impls": [
            (
                """def rotate_clockwise(matrix: list[list[int]]) -> list[list[int]]:
    return [list(row) for row in zip(*matrix[::-1])]""",
                "Reversing the rows and then transposing with zip(*...) is the same as a 90-degree clockwise rotation.",
            ),
            (
                """def rotate_clockwise(matrix: list[list[int]]) -> list[list[int]]:
    rows, cols = len(matrix), len(matrix[0]) if matrix else 0
    return [[matrix[rows - 1 - r][c] for r in range(rows)] for c in range(cols)]""",
                "This explicit version builds each new row from a column of the original, read from bottom to top, which "
                "makes it easy to adapt for an anticlockwise rotation.",
            ),
        ],
        "tests": "assert rotate_clockwise([[1, 2], [3, 4]]) == [[3, 1], [4, 2]]\n"
        "assert rotate_clockwise([[1, 2, 3]]) == [[1], [2], [3]]",
        "complexity": "O(rows x cols); every element is copied once.",
        "edge": "Both versions handle non-square matrices. With rows of uneven length, zip silently truncates, so "
        "validate the input if it comes from users.",
    },
    {
        "name": "moving_average",
        "asks": [
            "Write a function that computes a simple moving average over a list of numbers.",
            "How do I calculate a rolling mean with a window of k values without pandas?",
        ],
        "impls": [
            (
                """def moving_average(values: list[float], window: int) -> list[float]:
    if window < 1:
        raise ValueError("window must be at least 1")
    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]""",
                "For each starting position it averages the next window values. It's easy to read but re-adds the whole "
                "window every time.",
            ),
            (
                """def moving_average(values: list[float], window: int) -> list[float]:
    if window < 1:
        raise ValueError("window must be at least 1")
    result = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        if i >= window - 1:
            result.append(total / window)
    return result""",
                "This keeps a running total, adding the new value and subtracting the one that drops out of the window, "
                "so each step takes constant time however big the window is.",
            ),
        ],
        "tests": "assert moving_average([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]\n"
        "assert moving_average([1, 2], 3) == []",
        "complexity": "The slicing version is O(n x window); the running-total version is O(n).",
        "edge": "If the list is shorter than the window you get an empty list. Over very long float series the running "
        "total can drift slightly; recomputing it with math.fsum now and then fixes that.",
    },
    {
        "name": "retry",
        "asks": [
            "Can you write a retry decorator with exponential backoff for flaky network calls?",
            "How do I retry a function a few times with increasing delays if it raises an exception?",
        ],
        "impls": [
            (
                """import functools
import random
import time


def retry(attempts: int = 3, base_delay: float = 0.5, exceptions: tuple = (Exception,)):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == attempts:
                        raise
                    time.sleep(base_delay * 2 ** (attempt - 1) + random.uniform(0, base_delay))
        return wrapper
    return decorator""",
                "The wrapper calls the function up to attempts times. After each failure it waits "
                "base_delay x 2^(attempt - 1) seconds plus a little random jitter, so many clients don't all retry at the "
                "same moment. On the last attempt the exception is re-raised, so the caller still sees it.",
            ),
        ],
        "tests": "calls = []\n\n\n@retry(attempts=3, base_delay=0)\ndef flaky():\n    calls.append(1)\n"
        '    if len(calls) < 3:\n        raise ConnectionError("boom")\n    return "ok"\n\n\n'
        'assert flaky() == "ok" and len(calls) == 3',
        "complexity": "It's not really a complexity question here: the worst-case extra waiting time is the sum of the "
        "delays, roughly base_delay x 2^attempts seconds.",
        "edge": "Only retry errors that are genuinely temporary, such as timeouts and connection errors. Passing "
        "exceptions=(ConnectionError, TimeoutError) stops it from retrying a real bug three times.",
    },
    {
        "name": "sum_column",
        "asks": [
            "How do I sum one column of a CSV file by its header name, using only the standard library?",
            "Write a function that adds up the values in a named column of a CSV file, skipping empty cells.",
        ],
        "impls": [
            (
                """import csv
from typing import TextIO


def sum_column(file: TextIO, column: str) -> float:
    total = 0.0
    for row in csv.DictReader(file):
        value = (row.get(column) or "").strip()
        if value:
            total += float(value)
    return total""",
                "csv.DictReader gives you one dict per row, keyed by the header, so you can look the column up by name. "
                "Empty cells are skipped rather than crashing float(). Taking an open file instead of a path makes it "
                'easy to test with io.StringIO; call it with open("sales.csv", newline="", encoding="utf-8").',
            ),
        ],
        "tests": 'import io\n\nassert sum_column(io.StringIO("item,amount\\nA,10.5\\nB,\\nC,4.5\\n"), "amount") == 15.0',
        "complexity": "O(rows). The file is streamed, so memory use stays constant even for very large files.",
        "edge": 'Values with thousands separators ("1,200.00") or currency symbols raise ValueError, so strip those '
        "first if your export contains them.",
    },
    {
        "name": "missing_number",
        "asks": [
            "A list contains the numbers 1 to n with exactly one missing. How do I find the missing one?",
            "Write a function that finds the single missing number in a list of 1..n.",
        ],
        "impls": [
            (
                """def missing_number(numbers: list[int]) -> int:
    n = len(numbers) + 1
    return n * (n + 1) // 2 - sum(numbers)""",
                "The numbers 1..n add up to n(n+1)/2, so subtracting the actual sum leaves the missing number.",
            ),
            (
                """def missing_number(numbers: list[int]) -> int:
    result = len(numbers) + 1
    for i, value in enumerate(numbers, start=1):
        result ^= i ^ value
    return result""",
                "XOR-ing every index with every value cancels out all the numbers that are present, leaving only the "
                "missing one. It avoids large intermediate sums, which matters in languages with fixed-size integers.",
            ),
        ],
        "tests": "assert missing_number([1, 2, 4, 5]) == 3\nassert missing_number([2]) == 1\n"
        "assert missing_number([1]) == 2",
        "complexity": "O(n) time and O(1) extra memory for both versions.",
        "edge": "Both assume exactly one number is missing and there are no duplicates. If that isn't guaranteed, use "
        "set(range(1, n + 1)) - set(numbers) instead.",
    },
    {
        "name": "is_balanced",
        "asks": [
            "How do I check whether the brackets in a string are balanced, including (), [] and {}?",
            "Write a function that validates nested brackets like {[()()]}.",
        ],
        "impls": [
            (
                """def is_balanced(text: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
    return not stack""",
                "Opening brackets go on a stack. Each closing bracket has to match the most recent unmatched opening one, "
                "and at the end the stack must be empty.",
            ),
        ],
        "tests": 'assert is_balanced("{[()()]}")\nassert not is_balanced("([)]")\nassert not is_balanced("((")\n'
        'assert is_balanced("no brackets")',
        "complexity": "O(n) time and, in the worst case (all opening brackets), O(n) memory.",
        "edge": "Brackets inside string literals or comments are counted too, so for real source code you'd need a "
        "tokenizer. Every other character is ignored.",
    },
    {
        "name": "camel_to_snake",
        "asks": [
            "How do I convert camelCase names to snake_case in Python, including acronyms like HTTPResponse?",
            "Write camel_to_snake() that turns userId into user_id.",
        ],
        "impls": [
            (
                r"""import re


def camel_to_snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()""",
                "The first substitution splits before a capital that starts a lowercase word (so HTTPResponse becomes "
                "HTTP_Response), and the second splits between a lowercase letter or digit and a capital. Acronyms are "
                "the part most one-line solutions get wrong.",
            ),
        ],
        "tests": 'assert camel_to_snake("userId") == "user_id"\n'
        'assert camel_to_snake("HTTPResponseCode") == "http_response_code"\n'
        'assert camel_to_snake("already_snake") == "already_snake"',
        "complexity": "O(n) in the length of the name.",
        "edge": "Names that are already snake_case pass through unchanged, and a digit followed by a capital is split "
        '("v2Api" becomes "v2_api"), which is usually what you want.',
    },
    {
        "name": "human_size",
        "asks": [
            "How do I format a number of bytes as a human-readable size like 1.5 KB or 3.2 GB?",
            "Write a function that turns a byte count into a readable string.",
        ],
        "impls": [
            (
                """def human_size(num_bytes: int) -> str:
    size = float(num_bytes)
    for unit in ["B", "KB", "MB", "GB", "TB"]:
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")""",
                "It divides by 1024 until the number is small enough for the current unit, then formats it with one "
                "decimal place (plain bytes are shown as a whole number).",
            ),
        ],
        "tests": 'assert human_size(512) == "512 B"\nassert human_size(1536) == "1.5 KB"\n'
        'assert human_size(5 * 1024**3) == "5.0 GB"',
        "complexity": "O(1): at most five iterations.",
        "edge": "This uses binary units (1 KB = 1024 bytes), as Windows does. For SI units (1 kB = 1000 bytes), as "
        "macOS uses, change 1024 to 1000.",
    },
    {
        "name": "days_between",
        "asks": [
            "How do I get the number of days between two dates given as YYYY-MM-DD strings?",
            "Write days_between(start, end) for ISO date strings.",
        ],
        "impls": [
            (
                """from datetime import date


def days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days""",
                "date.fromisoformat parses YYYY-MM-DD strings, and subtracting two dates gives a timedelta whose .days is "
                "the difference. Leap years are handled for you: 2024-02-29 exists, so the first test below gives 3.",
            ),
        ],
        "tests": 'assert days_between("2024-02-27", "2024-03-01") == 3\n'
        'assert days_between("2024-03-01", "2024-02-27") == -3',
        "complexity": "O(1).",
        "edge": "The result is negative when end is before start; wrap it in abs() if you only care about the "
        "distance. Other formats, like 01/03/2024, need datetime.strptime with an explicit format.",
    },
    {
        "name": "truncate",
        "asks": [
            "How do I shorten text to a maximum length without cutting a word in half?",
            "Write a truncate function that adds ... and breaks at a word boundary.",
        ],
        "impls": [
            (
                """def truncate(text: str, limit: int, suffix: str = "...") -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(suffix)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + suffix""",
                "If the text is too long, it cuts it to leave room for the suffix, backs up to the last space so no word "
                "is chopped in half, trims trailing punctuation, and adds the suffix.",
            ),
        ],
        "tests": 'assert truncate("The quick brown fox jumps", 15) == "The quick..."\n'
        'assert truncate("short", 10) == "short"',
        "complexity": "O(n) in the length of the text.",
        "edge": "If the first word alone is longer than the limit, there's no space to back up to, so that word gets "
        "cut. textwrap.shorten is an alternative that also collapses whitespace.",
    },
    {
        "name": "LRUCache",
        "asks": [
            "Can you implement a simple LRU cache class in Python with get and put?",
            "How do I build a least-recently-used cache with a fixed capacity?",
        ],
        "impls": [
            (
                """from collections import OrderedDict


class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: OrderedDict[str, object] = OrderedDict()

    def get(self, key: str) -> object | None:
        if key not in self.items:
            return None
        self.items.move_to_end(key)
        return self.items[key]

    def put(self, key: str, value: object) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        if len(self.items) > self.capacity:
            self.items.popitem(last=False)""",
                "OrderedDict remembers insertion order, and move_to_end marks a key as most recently used. When the cache "
                "goes over capacity, popitem(last=False) removes the least recently used entry.",
            ),
        ],
        "tests": 'cache = LRUCache(2)\ncache.put("a", 1)\ncache.put("b", 2)\ncache.get("a")\ncache.put("c", 3)\n'
        'assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3',
        "complexity": "Both get and put are O(1).",
        "edge": "If you only need to cache a function's results, functools.lru_cache(maxsize=...) does all of this for "
        "you. A class like this is for when you need to control the cache directly.",
    },
    {
        "name": "parse_duration",
        "asks": [
            'How do I parse durations like "1h30m" or "45s" into seconds?',
            'Write a function that converts strings like "2h 5m 10s" to a number of seconds.',
        ],
        "impls": [
            (
                r"""import re


def parse_duration(text: str) -> int:
    units = {"h": 3600, "m": 60, "s": 1}
    matches = re.findall(r"(\d+)\s*([hms])", text.lower())
    if not matches:
        raise ValueError(f"no duration found in {text!r}")
    return sum(int(amount) * units[unit] for amount, unit in matches)""",
                "The regex finds every number followed by h, m or s, and each one is multiplied by the number of seconds "
                "in that unit.",
            ),
        ],
        "tests": 'assert parse_duration("1h30m") == 5400\nassert parse_duration("45s") == 45\n'
        'assert parse_duration("2h 5m 10s") == 7510',
        "complexity": "O(n) in the length of the string.",
        "edge": 'Text with nothing recognisable raises ValueError instead of silently returning 0. Units like "min" or '
        '"hours" aren\'t supported, so extend the pattern if your users type those.',
    },
    {
        "name": "group_by",
        "asks": [
            "How do I group a list of dicts by the value of one key?",
            "Write group_by(records, key) that returns a dict of lists.",
        ],
        "impls": [
            (
                """from collections import defaultdict


def group_by(records: list[dict], key: str) -> dict[object, list[dict]]:
    groups: dict[object, list[dict]] = defaultdict(list)
    for record in records:
        groups[record.get(key)].append(record)
    return dict(groups)""",
                "defaultdict(list) creates an empty list the first time a key is seen, so each record can simply be "
                "appended to its group. Records without the key end up under None.",
            ),
        ],
        "tests": 'rows = [{"team": "ops", "n": 1}, {"team": "dev", "n": 2}, {"team": "ops", "n": 3}]\n'
        'assert group_by(rows, "team") == {"ops": [rows[0], rows[2]], "dev": [rows[1]]}',
        "complexity": "O(n) in the number of records.",
        "edge": "The key values must be hashable. itertools.groupby looks similar but only groups consecutive items, "
        "so you'd have to sort first.",
    },
    {
        "name": "primes_up_to",
        "asks": [
            "What's an efficient way to list all prime numbers up to n in Python?",
            "Write a Sieve of Eratosthenes that returns the primes up to a limit.",
        ],
        "impls": [
            (
                """def primes_up_to(limit: int) -> list[int]:
    if limit < 2:
        return []
    is_prime = [True] * (limit + 1)
    is_prime[0] = is_prime[1] = False
    for n in range(2, int(limit**0.5) + 1):
        if is_prime[n]:
            is_prime[n * n :: n] = [False] * len(range(n * n, limit + 1, n))
    return [n for n, prime in enumerate(is_prime) if prime]""",
                "Starting from each prime n, it crosses out n*n, n*n+n, and so on. Starting at n*n is safe because smaller "
                "multiples were already crossed out by smaller primes, and the outer loop can stop at the square root of "
                "the limit.",
            ),
        ],
        "tests": "assert primes_up_to(20) == [2, 3, 5, 7, 11, 13, 17, 19]\nassert primes_up_to(1) == []",
        "complexity": "O(n log log n) time and O(n) memory.",
        "edge": "Limits below 2 return an empty list. For limits in the hundreds of millions, memory becomes the "
        "problem, and a bytearray or a segmented sieve helps.",
    },
    {
        "name": "one_edit_apart",
        "asks": [
            "How can I check whether two strings are exactly one edit apart (insert, delete or replace)?",
            'Write one_edit_apart(a, b): "pale" and "ple" should be True, "pale" and "bake" False.',
        ],
        "impls": [
            (
                """def one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edited = False
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            if edited:
                return False
            edited = True
            if len(a) == len(b):
                i += 1
        else:
            i += 1
        j += 1
    return edited or len(a) != len(b)""",
                "It walks both strings together. The first mismatch uses up the single edit: for equal lengths that's a "
                "substitution (advance both), otherwise an insertion into the shorter string (advance only the longer "
                "one). A second mismatch means more than one edit.",
            ),
        ],
        "tests": 'assert one_edit_apart("pale", "ple")\nassert one_edit_apart("pales", "pale")\n'
        'assert not one_edit_apart("pale", "bake")\nassert not one_edit_apart("same", "same")',
        "complexity": "O(n) time and O(1) memory, much cheaper than computing the full edit distance.",
        "edge": 'Identical strings return False because they\'re zero edits apart. If you want "at most one edit", '
        "return True for that case as well.",
    },
    {
        "name": "common_prefix",
        "asks": [
            "How do I find the longest common prefix of a list of strings?",
            'Write common_prefix(["flower", "flow", "flight"]) that returns "fl".',
        ],
        "impls": [
            (
                """import os


def common_prefix(strings: list[str]) -> str:
    return os.path.commonprefix(strings)""",
                "os.path.commonprefix compares character by character despite its name, so it works for any strings, not "
                "just paths.",
            ),
            (
                """def common_prefix(strings: list[str]) -> str:
    if not strings:
        return ""
    shortest = min(strings, key=len)
    for i, char in enumerate(shortest):
        if any(s[i] != char for s in strings):
            return shortest[:i]
    return shortest""",
                "The prefix can't be longer than the shortest string, so it checks each position of the shortest string "
                "against all the others and stops at the first mismatch.",
            ),
        ],
        "tests": 'assert common_prefix(["flower", "flow", "flight"]) == "fl"\nassert common_prefix(["dog", "car"]) == ""\n'
        'assert common_prefix([]) == ""',
        "complexity": "O(n x k) for n strings, where k is the length of the shortest one.",
        "edge": "An empty list gives an empty string. For real file paths use os.path.commonpath, because "
        "commonprefix can return half a folder name.",
    },
]


def check_code_tasks() -> int:
    """Run every implementation against its tests, so no example teaches broken code."""
    checked = 0
    for task in CODE_TASKS:
        for code, _ in task["impls"]:
            namespace: dict[str, Any] = {}
            exec(compile(code + "\n\n" + task["tests"], f"<{task['name']}>", "exec"), namespace)
            checked += 1
    return checked


def fill(template: str, **values: str) -> str:
    """Substitute <<name>> markers (braces are left alone, so code snippets stay intact)."""
    for key, value in values.items():
        template = template.replace(f"<<{key}>>", value)
    assert not re.search(r"<<[a-z_]+>>", template), template
    return template


Exchange = tuple[str, str]
DebugResult = tuple[str, str, list[Exchange]]


def debug_key_error(rng: random.Random) -> DebugResult:
    var, key, default = rng.choice(
        [
            ("config", "timeout", "30"),
            ("row", "customer_id", "None"),
            ("payload", "status", '"unknown"'),
            ("settings", "region", '"eu-west-1"'),
            ("user", "last_login", "None"),
            ("record", "price", "0.0"),
            ("response", "data", "[]"),
            ("event", "timestamp", "None"),
        ]
    )
    p = {
        "var": var,
        "key": key,
        "default": default,
        "file": rng.choice(["app.py", "sync.py", "main.py", "etl/load.py", "handlers.py", "report.py"]),
        "func": rng.choice(
            ["load_config", "process_row", "handle_event", "main", "build_report", "parse_item"]
        ),
        "line": str(rng.randint(12, 240)),
    }
    user = rng.choice(
        [
            "I'm getting this error and I don't understand why, the key is definitely there in most of the data:\n\n"
            '```\nTraceback (most recent call last):\n  File "<<file>>", line <<line>>, in <<func>>\n'
            "    value = <<var>>[\"<<key>>\"]\nKeyError: '<<key>>'\n```",
            "My script crashes with `KeyError: '<<key>>'` on the line `value = <<var>>[\"<<key>>\"]` inside "
            "`<<func>>()`. How should I handle records where the key is missing?",
            "Python keeps throwing `KeyError: '<<key>>'` in <<file>> (line <<line>>). It's reading `<<var>>[\"<<key>>\"]`. "
            "Why does this happen only sometimes?",
        ]
    )
    answer = rng.choice(
        [
            "A `KeyError` means the dictionary `<<var>>` doesn't contain the key `\"<<key>>\"` at that moment. It's usually "
            "the odd record rather than all of them, for example a row where the field was left out, or an API response "
            "that returned an error instead of data.\n\nIf the key is optional, use `.get()` with a default:\n\n```python\n"
            'value = <<var>>.get("<<key>>", <<default>>)\n```\n\nIf it should always be there, fail with a clear message '
            'so you can find the bad record:\n\n```python\nif "<<key>>" not in <<var>>:\n'
            '    raise ValueError(f"missing \'<<key>>\' in {<<var>>!r}")\nvalue = <<var>>["<<key>>"]\n```',
            'The traceback says that at least one `<<var>>` has no `"<<key>>"` key. A quick way to see what\'s actually '
            "in it is to print the keys just before the failing line:\n\n```python\nprint(sorted(<<var>>.keys()))\n```\n\n"
            "Once you know which records are missing it, decide how to handle them. In a batch job, skipping them with a "
            'warning is often right:\n\n```python\nif "<<key>>" not in <<var>>:\n'
            '    logger.warning("skipping record without <<key>>: %r", <<var>>)\n    continue\n'
            'value = <<var>>["<<key>>"]\n```\n\n(`continue` assumes you\'re inside a loop; use `return` in a function that '
            "handles a single record.)",
        ]
    )
    followups = [
        (
            "What's the difference between `.get()` and `setdefault()`?",
            "`.get(key, default)` only reads: it returns the default when the key is missing and leaves the dictionary "
            "unchanged. `setdefault(key, default)` also inserts the default when the key is missing, then returns it. "
            "Use `setdefault` when you're building up a structure, for example "
            "`groups.setdefault(name, []).append(item)`.",
        ),
        (
            "Is it better to use try/except KeyError instead?",
            "Both are fine. `try/except KeyError` is slightly faster when the key is almost always present, and `in` or "
            "`.get()` reads more clearly when missing keys are common. Whichever you choose, keep the `try` block tiny "
            "(just the dictionary access) so you don't accidentally hide a KeyError from somewhere else.",
        ),
        (
            "Can I make missing keys default to 0 automatically?",
            "Yes, create the dictionary as `collections.defaultdict(int)` (or use `Counter` if you're counting), and any "
            "missing key reads as 0. That only works for dictionaries you create yourself, not ones returned by "
            "`json.loads` or an API client.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_none_subscript(rng: random.Random) -> DebugResult:
    name, pattern, src = rng.choice(
        [
            ("order_id", r"ORD-(\d+)", "line"),
            ("version", r"v(\d+)\.(\d+)", "tag"),
            ("year", r"(\d{4})-(\d{2})-(\d{2})", "filename"),
            ("ticket", r"#(\d+)", "subject"),
            ("sku", r"SKU:\s*(\w+)", "description"),
        ]
    )
    p = {"name": name, "pattern": pattern, "src": src}
    user = rng.choice(
        [
            "I get `TypeError: 'NoneType' object is not subscriptable` on this line:\n\n```python\n"
            '<<name>> = re.match(r"<<pattern>>", <<src>>)[1]\n```\n\nIt works for most inputs. What\'s going on?',
            'Why would `re.match(r"<<pattern>>", <<src>>)[1]` raise "\'NoneType\' object is not subscriptable"? The '
            "pattern looks right to me.",
        ]
    )
    answer = rng.choice(
        [
            "`re.match` returns `None` when the pattern doesn't match, and `None[1]` raises exactly that TypeError. Two "
            "things commonly cause it here:\n\n1. `re.match` only matches at the **start** of the string. If `<<src>>` has "
            "anything before the pattern, use `re.search` instead.\n2. Some inputs simply don't contain the pattern, so "
            'handle that case explicitly:\n\n```python\nmatch = re.search(r"<<pattern>>", <<src>>)\nif match is None:\n'
            '    raise ValueError(f"no <<name>> found in {<<src>>!r}")\n<<name>> = match[1]\n```',
            "The regex didn't match for some inputs, so `re.match` returned `None`, and indexing `None` with `[1]` fails. "
            "Check the result before using it. With the walrus operator that stays compact:\n\n```python\n"
            'if (match := re.search(r"<<pattern>>", <<src>>)) is not None:\n    <<name>> = match[1]\nelse:\n'
            "    <<name>> = None  # or log it and skip this input\n```\n\nNote the switch to `re.search`: `re.match` only "
            "looks at the beginning of the string, which is a very common reason for unexpected `None` results.",
        ]
    )
    followups = [
        (
            "What's the difference between re.match, re.search and re.fullmatch?",
            "`re.match` only matches at the beginning of the string, `re.search` finds the first match anywhere, and "
            '`re.fullmatch` requires the whole string to match. For validation ("is this a valid <<name>>?") use '
            "`fullmatch`; for extraction use `search`.",
        ),
        (
            "How can I find out which inputs are failing?",
            "Log them where the match fails instead of crashing, then look at a few examples:\n\n```python\n"
            'if match is None:\n    logger.warning("no <<name>> in %r", <<src>>)\n    continue\n```\n\n'
            "Using `%r` shows invisible characters such as leading spaces or tabs, which are often the culprit.",
        ),
        (
            "Why does the error say 'subscriptable'?",
            "Subscripting means using square brackets, as in `x[1]`. Objects that support it, like lists, dicts and match "
            "objects, implement `__getitem__`. `None` doesn't, so Python tells you the `NoneType` object isn't "
            "subscriptable. In practice it almost always means a function returned `None` when you expected a value.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_module_not_found(rng: random.Random) -> DebugResult:
    module, package = rng.choice(
        [
            ("yaml", "pyyaml"),
            ("cv2", "opencv-python"),
            ("sklearn", "scikit-learn"),
            ("dotenv", "python-dotenv"),
            ("PIL", "Pillow"),
            ("bs4", "beautifulsoup4"),
            ("requests", "requests"),
            ("pandas", "pandas"),
        ]
    )
    where, tip = rng.choice(
        [
            (
                "in VS Code",
                'In VS Code, check the interpreter shown in the status bar (or run "Python: Select '
                'Interpreter") and pick the one from your virtual environment.',
            ),
            (
                "in a Jupyter notebook",
                "In a notebook, run `%pip install <<package>>` in a cell; it installs into the "
                "kernel's own environment.",
            ),
            (
                "from cron",
                "cron runs with a minimal PATH, so call the interpreter by its full path, for example "
                "`/home/you/project/.venv/bin/python script.py`.",
            ),
            (
                "in PyCharm",
                "In PyCharm, open Settings > Project > Python Interpreter and install it there, or point the "
                "project at your virtual environment.",
            ),
            (
                "after creating a new virtual environment",
                "A new virtual environment starts empty, so activate it "
                "(`source .venv/bin/activate`, or `.venv\\Scripts\\activate` on "
                "Windows) and install the package again.",
            ),
        ]
    )
    p = {"module": module, "package": package, "where": where}
    user = rng.choice(
        [
            "I installed <<package>> with pip, but when I run my script <<where>> I get `ModuleNotFoundError: No module "
            "named '<<module>>'`. I've reinstalled it twice.",
            "`import <<module>>` fails with ModuleNotFoundError <<where>>, even though `pip install <<package>>` says "
            '"Requirement already satisfied". What am I missing?',
        ]
    )
    name_note = (
        (
            "\n\nNote that the import name and the package name are different here: you `import <<module>>` but "
            "install `<<package>>`."
        )
        if module.lower() != package.lower()
        else ""
    )
    answer = (
        "Almost always, pip installed the package into a different Python interpreter from the one that runs "
        "your script. Check which interpreter is running, and install with that exact one:\n\n```bash\n"
        'python -c "import sys; print(sys.executable)"\npython -m pip install <<package>>\n```\n\nUsing '
        "`python -m pip` guarantees that pip belongs to the same interpreter. " + tip + name_note
    )
    followups = [
        (
            "What's a virtual environment and why should I use one?",
            "It's a self-contained folder with its own Python and its own installed packages, so each project can have "
            "the versions it needs without affecting others or the system Python. Create one with `python -m venv .venv`, "
            "activate it, and install your packages inside it.",
        ),
        (
            "How do I save my dependencies so a colleague can install the same ones?",
            "Run `python -m pip freeze > requirements.txt` inside your virtual environment and commit the file. Your "
            "colleague then runs `python -m pip install -r requirements.txt` in theirs. For larger projects, tools like "
            "uv or Poetry manage this with a lock file.",
        ),
        (
            "Should I just use sudo pip install?",
            "Please don't. Installing into the system Python with sudo can break tools your operating system relies on, "
            "and it hides exactly this kind of interpreter confusion. A virtual environment, or `pip install --user` at "
            "most, is the safe route.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_unicode_csv(rng: random.Random) -> DebugResult:
    byte, meaning = rng.choice(
        [
            ("0x92", "a right single quotation mark (\u2019)"),
            ("0xe9", "the letter \u00e9"),
            ("0xa3", "the pound sign (\u00a3)"),
            ("0x96", "an en dash (\u2013)"),
        ]
    )
    p = {
        "byte": byte,
        "meaning": meaning,
        "pos": str(rng.randint(200, 90000)),
        "file": rng.choice(
            ["customers.csv", "export_2024.csv", "suppliers.csv", "orders_q3.csv", "contacts.csv"]
        ),
    }
    user = rng.choice(
        [
            "Reading a CSV with pandas fails with `UnicodeDecodeError: 'utf-8' codec can't decode byte <<byte>> in "
            "position <<pos>>: invalid start byte`. The file is `<<file>>`, exported from Excel I think.",
            '`pd.read_csv("<<file>>")` throws a UnicodeDecodeError about byte <<byte>>. Other CSVs load fine. How do I '
            "fix it?",
        ]
    )
    answer = rng.choice(
        [
            "The file isn't UTF-8. Byte <<byte>> is <<meaning>> in Windows-1252, the encoding Excel uses for CSV exports on "
            "Windows, and it isn't valid on its own in UTF-8. Tell pandas the real encoding:\n\n```python\nimport pandas as "
            'pd\n\ndf = pd.read_csv("<<file>>", encoding="cp1252")\n```\n\nIf some files are UTF-8 and some aren\'t, try '
            'UTF-8 first and fall back:\n\n```python\ntry:\n    df = pd.read_csv(path, encoding="utf-8")\n'
            'except UnicodeDecodeError:\n    df = pd.read_csv(path, encoding="cp1252")\n```\n\nAvoid '
            '`encoding_errors="ignore"`: it silently drops characters, so names lose their accents.',
            "pandas assumes UTF-8, but this file was saved in a legacy Windows encoding: in Windows-1252, byte <<byte>> is "
            '<<meaning>>. Pass the encoding explicitly:\n\n```python\ndf = pd.read_csv("<<file>>", encoding="cp1252")\n'
            '```\n\nThe long-term fix is to export as "CSV UTF-8" from Excel (it\'s a separate option in the Save As '
            "dialog), so you never have to guess.",
        ]
    )
    followups = [
        (
            "How can I tell what encoding a file uses?",
            "You can't know for sure from the bytes alone, but the `charset-normalizer` package gives a good guess:\n\n"
            '```python\nfrom charset_normalizer import from_path\n\nprint(from_path("<<file>>").best().encoding)\n```\n\n'
            "For Excel exports on Windows, cp1252 is the answer nine times out of ten.",
        ),
        (
            "How do I save it back out as UTF-8?",
            '`df.to_csv("<<file>>", index=False, encoding="utf-8-sig")`. The `-sig` variant adds a byte-order mark, '
            "which makes Excel recognise the file as UTF-8 when someone double-clicks it.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_git_undo(rng: random.Random) -> DebugResult:
    branch = rng.choice(
        ["feature/invoice-export", "fix/login-timeout", "feature/driver-app", "chore/update-deps"]
    )
    file = rng.choice(["config/local.yaml", "debug.log", "notes.txt", "data/sample_large.csv"])
    case = rng.choice(["message", "file", "env", "main"])
    pushed = rng.random() < 0.4
    p = {"branch": branch, "file": file}
    if case == "message":
        user = "I made a typo in my last commit message. How do I fix it?"
        answer = (
            "If you haven't pushed yet, amend the commit:\n\n```bash\ngit commit --amend -m \"Correct message "
            'here"\n```\n\nThat replaces the last commit with an identical one that has the new message.'
        )
        if pushed:
            user = "I pushed a commit with a typo in the message to <<branch>>. Can I still fix it?"
            answer += (
                "\n\nSince you've already pushed, you'll also need to force-push, which is only safe on a "
                "branch nobody else is using:\n\n```bash\ngit push --force-with-lease\n```\n\n"
                "`--force-with-lease` refuses to overwrite the remote if someone else pushed in the meantime. "
                "On a shared branch, it's usually better to leave the typo alone."
            )
    elif case == "file":
        user = "I accidentally included `<<file>>` in my last commit. How do I take it out but keep my other changes?"
        answer = (
            "Undo the commit but keep everything staged, unstage the file, then commit again:\n\n```bash\n"
            'git reset --soft HEAD~1\ngit restore --staged <<file>>\ngit commit -m "Your original message"\n'
            "```\n\nThe file stays on disk, it just isn't part of the commit. Add it to `.gitignore` if it should "
            "never be committed."
        )
        if pushed:
            user = "I committed and pushed `<<file>>` to <<branch>> by mistake. How do I remove it from the repo?"
            answer = (
                "Remove it from the repository while keeping your local copy, and commit that:\n\n```bash\n"
                'git rm --cached <<file>>\necho "<<file>>" >> .gitignore\ngit commit -m "Stop tracking '
                '<<file>>"\ngit push\n```\n\nThe file will still exist in the history of the earlier commit. '
                "That's fine for a log or a notes file; if it contained anything sensitive, let me know, because "
                "that needs a history rewrite."
            )
    elif case == "env":
        user = "I committed our `.env` file with API keys in it. What should I do?"
        answer = (
            "First, treat the keys as leaked and rotate them with each provider, because anything committed can "
            'be copied. Then stop tracking the file:\n\n```bash\ngit rm --cached .env\necho ".env" >> '
            '.gitignore\ngit commit -m "Stop tracking .env"\n```\n\nIf you haven\'t pushed, you can also drop '
            "it from the last commit with `git reset --soft HEAD~1` before committing again, and nothing ever "
            "left your machine."
        )
        if pushed:
            answer += (
                "\n\nSince it was pushed, rotating the keys is the part that really matters. Removing it from "
                "history (with `git filter-repo`) is worth doing as well, but it doesn't un-leak anything."
            )
    else:
        user = "I committed to main by mistake instead of my feature branch. I haven't pushed. How do I move the commit?"
        answer = (
            "Create the branch at the current commit, then move main back by one:\n\n```bash\n"
            "git branch <<branch>>\ngit reset --hard HEAD~1\ngit switch <<branch>>\n```\n\nThe commit now "
            "lives only on `<<branch>>`. Make sure your working tree is clean before `reset --hard`, because it "
            "discards uncommitted changes."
        )
        pushed = False
    followups = [
        (
            "What's the difference between reset --soft, --mixed and --hard?",
            "All three move the branch pointer back. `--soft` keeps your changes staged, `--mixed` (the default) keeps "
            "them in the working tree but unstaged, and `--hard` throws them away completely. When in doubt, use "
            "`--soft`; you can always unstage later.",
        ),
        (
            "How do I undo a commit that's already on a shared branch?",
            "Use `git revert <commit>` instead of resetting. It creates a new commit that undoes the changes, so nobody "
            "else's history is rewritten and you don't need to force-push.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_merge_conflict(rng: random.Random) -> DebugResult:
    p = {
        "file": rng.choice(
            [
                "src/api/orders.py",
                "README.md",
                "package.json",
                "config/settings.yaml",
                "app/models/user.rb",
                "src/components/Header.tsx",
            ]
        ),
        "branch": rng.choice(
            ["feature/route-planner", "develop", "fix/tax-rounding", "feature/new-dashboard"]
        ),
    }
    user = rng.choice(
        [
            "I ran `git merge <<branch>>` and it says `CONFLICT (content): Merge conflict in <<file>>`. I've never dealt "
            "with this before. What do I do?",
            'Merging <<branch>> into my branch gave me a conflict in <<file>>, and now git status shows "both modified". '
            "How do I resolve it?",
        ]
    )
    answer = (
        "A conflict means both branches changed the same lines, and Git wants you to decide. Open `<<file>>` and "
        "look for blocks like this:\n\n```\n<<<<<<< HEAD\nyour version of the lines\n=======\n"
        "the version from <<branch>>\n>>>>>>> <<branch>>\n```\n\nEdit the block so it contains what the final "
        "code should be (one side, the other, or a combination) and delete the marker lines. Then:\n\n```bash\n"
        "git add <<file>>\ngit commit\n```\n\nGit fills in a merge commit message for you. Run your tests before "
        "committing, because a conflict-free merge can still be logically wrong."
    )
    followups = [
        (
            "How do I cancel the merge and go back to how things were?",
            "`git merge --abort` restores your branch to exactly where it was before the merge started, as long as you "
            "haven't committed yet.",
        ),
        (
            "Can I just take their version of the file?",
            "Yes: `git checkout --theirs <<file>>` takes the version from <<branch>> (or `--ours` keeps yours), then "
            "`git add <<file>>` marks it resolved. Be careful, because that discards the other side's changes to the file "
            "completely.",
        ),
        (
            "Is there a nicer way to resolve conflicts than editing the markers by hand?",
            'Most editors have a merge view. VS Code shows "Accept Current", "Accept Incoming" and "Accept Both" '
            "buttons above each conflict, and `git mergetool` opens whatever merge tool you've configured.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_push_rejected(rng: random.Random) -> DebugResult:
    p = {"branch": rng.choice(["main", "develop", "feature/pricing-page", "release/2.4"])}
    user = rng.choice(
        [
            "`git push` fails with:\n\n```\n ! [rejected]        <<branch>> -> <<branch>> (fetch first)\n"
            "error: failed to push some refs\nhint: Updates were rejected because the remote contains work that you do\n"
            "hint: not have locally.\n```\n\nWhat should I do?",
            'My push to <<branch>> keeps getting rejected with "non-fast-forward". Should I use --force?',
        ]
    )
    answer = (
        "Someone else pushed to `<<branch>>` after you last pulled, so your branch and the remote have "
        "diverged. Don't force-push, because that would delete their commits. Bring their work in first:\n\n"
        "```bash\ngit pull --rebase\ngit push\n```\n\n`--rebase` replays your commits on top of theirs, which "
        "keeps the history linear. If you prefer merge commits, a plain `git pull` works too."
    )
    followups = [
        (
            "What's the difference between pull --rebase and a normal pull?",
            "A normal `git pull` merges the remote branch into yours and creates a merge commit. `git pull --rebase` "
            "temporarily removes your commits, applies the remote ones, then re-applies yours on top. The result has the "
            "same content but a straight-line history. You can make it the default with "
            "`git config --global pull.rebase true`.",
        ),
        (
            "I got a conflict during the rebase. Now what?",
            "Fix the conflicted files as usual, then `git add` them and run `git rebase --continue`. Repeat for each "
            "commit that conflicts. If it gets messy, `git rebase --abort` puts everything back to how it was before the "
            "pull.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_docker_port(rng: random.Random) -> DebugResult:
    port, service, alt = rng.choice(
        [
            ("5432", "postgres", "5433"),
            ("6379", "redis", "6380"),
            ("8080", "api", "8081"),
            ("3000", "web", "3001"),
            ("5672", "rabbitmq", "5673"),
        ]
    )
    p = {"port": port, "service": service, "alt": alt}
    user = rng.choice(
        [
            "`docker compose up` fails because port <<port>> is already allocated. Nothing else should be using it, as far "
            "as I know.",
            "My <<service>> container won't start: \"port is already allocated\" for <<port>>. How do I find out what's "
            "using it?",
        ]
    )
    answer = (
        "Something on your machine is already listening on <<port>>, most often a <<service>> you installed "
        "locally or an old container that's still running. Find it:\n\n```bash\n"
        "docker ps --filter publish=<<port>>   # another container?\nlsof -i :<<port>>                    "
        "# macOS / Linux\nnetstat -ano | findstr :<<port>>     # Windows\n```\n\nThen either stop it, or map "
        "the container to a different host port in `docker-compose.yml`:\n\n```yaml\nservices:\n"
        '  <<service>>:\n    ports:\n      - "<<alt>>:<<port>>"\n```\n\nInside the compose network, other '
        "services still reach it on port <<port>>; only the port on your machine changes."
    )
    followups = [
        (
            "How do I clean up old containers that are still running?",
            "`docker compose down` stops and removes the containers from the current project. For containers from other "
            "projects, list everything with `docker ps -a` and remove what you don't need with `docker rm -f <name>`.",
        ),
        (
            "Can compose pick a free host port automatically?",
            'Yes: list only the container port, as `- "<<port>>"`, and Docker assigns a random free host port. '
            "`docker compose port <<service>> <<port>>` shows which one it picked.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


JS_UNDEFINED_CASES = [
    (
        "map",
        "React component that renders a list after a fetch",
        "function UserList() {\n  const [users, setUsers] = useState();\n\n  useEffect(() => {\n"
        '    fetch("/api/users")\n      .then((r) => r.json())\n      .then((data) => setUsers(data.users));\n  }, []);\n\n'
        "  return <ul>{users.map((u) => <li key={u.id}>{u.name}</li>)}</ul>;\n}",
        "On the first render, before the fetch finishes, `users` is `undefined`, because `useState()` was called "
        "without an initial value. Start with an empty array, and guard against a response without `users`:\n\n```jsx\n"
        "const [users, setUsers] = useState([]);\n\n// ...\n.then((data) => setUsers(data.users ?? []));\n```",
    ),
    (
        "length",
        "function that counts the items in a saved cart",
        "function countItems(cart) {\n  return cart.items.length;\n}\n\nconst badge = countItems(savedCart);",
        "`cart.items` is `undefined` for some carts, probably ones saved before items were added, or a `savedCart` "
        "restored from localStorage in an older format. Optional chaining with a default handles both:\n\n```js\n"
        "function countItems(cart) {\n  return cart?.items?.length ?? 0;\n}\n```",
    ),
    (
        "name",
        "order summary view",
        "const label = order.customer.name.toUpperCase();",
        "The error is about reading `name`, so `order.customer` is `undefined`, for example on guest orders. Decide "
        'what to show instead and make it explicit:\n\n```js\nconst label = (order.customer?.name ?? "Guest")'
        ".toUpperCase();\n```",
    ),
    (
        "id",
        "table click handler",
        'table.addEventListener("click", (event) => {\n  const selectedRow = rows.find((row) => row.id === '
        "event.target.dataset.id);\n  openDetails(selectedRow.id);\n});",
        "`rows.find` returned `undefined`. The likely reason: `dataset` values are always strings, while `row.id` is "
        "probably a number, so `===` never matches. Convert it, and guard clicks that aren't on a row:\n\n```js\n"
        'const id = Number(event.target.closest("tr")?.dataset.id);\nconst selectedRow = rows.find((row) => row.id === '
        "id);\nif (selectedRow) openDetails(selectedRow.id);\n```",
    ),
]


def debug_js_undefined(rng: random.Random) -> DebugResult:
    prop, context, snippet, fix = rng.choice(JS_UNDEFINED_CASES)
    lang = "jsx" if "<" in snippet else "js"
    user = rng.choice(
        [
            f"I keep getting `TypeError: Cannot read properties of undefined (reading '{prop}')` in my {context}:\n\n"
            f"```{lang}\n{snippet}\n```",
            f"Getting \"Cannot read properties of undefined (reading '{prop}')\" in a {context}. Here's the code:\n\n"
            f"```{lang}\n{snippet}\n```\n\nWhat am I doing wrong?",
        ]
    )
    followups = [
        (
            "What's the difference between `?.` and `??`?",
            "`?.` (optional chaining) stops and returns `undefined` if the thing on its left is `null` or `undefined`, "
            "instead of throwing. `??` (nullish coalescing) provides a fallback when the left side is `null` or "
            '`undefined`. They\'re often used together: `a?.b ?? "default"`.',
        ),
        (
            "Would TypeScript have caught this?",
            "Often, yes. With `strict` mode on, TypeScript knows when a value might be `undefined` and makes you handle "
            "it before accessing properties. It can't help with data from an API unless you describe its shape, so "
            "validating responses (for example with zod) closes that gap.",
        ),
    ]
    return user, fix, followups


def debug_cors(rng: random.Random) -> DebugResult:
    backend = rng.choice(["Express", "FastAPI", "Flask"])
    fport, aport = rng.choice(["3000", "5173"]), rng.choice(["8000", "5000", "8080"])
    config = {
        "Express": '```js\nimport cors from "cors";\n\napp.use(cors({ origin: "http://localhost:<<fport>>" }));\n'
        "```",
        "FastAPI": "```python\nfrom fastapi.middleware.cors import CORSMiddleware\n\napp.add_middleware(\n"
        '    CORSMiddleware,\n    allow_origins=["http://localhost:<<fport>>"],\n'
        '    allow_methods=["*"],\n    allow_headers=["*"],\n)\n```',
        "Flask": '```python\nfrom flask_cors import CORS\n\nCORS(app, origins=["http://localhost:<<fport>>"])\n```',
    }[backend]
    p = {"fport": fport, "aport": aport, "backend": backend}
    user = rng.choice(
        [
            "My React app on localhost:<<fport>> calls my <<backend>> API on localhost:<<aport>>, and the browser says: "
            "\"has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested "
            'resource." The same request works in Postman.',
            "How do I fix a CORS error between my frontend (port <<fport>>) and my <<backend>> backend (port <<aport>>)?",
        ]
    )
    answer = rng.choice(
        [
            "CORS is enforced by the browser, not the server, which is why Postman doesn't care. Because the ports differ, "
            "localhost:<<fport>> and localhost:<<aport>> count as different origins, and the API has to say explicitly "
            "that it accepts requests from your frontend. In <<backend>>:\n\n"
            + config
            + "\n\nList the exact origin "
            "rather than `*`, especially if you send cookies or an Authorization header.",
            "The simplest fix during development is to avoid cross-origin requests entirely by proxying API calls through "
            'the dev server. With Vite:\n\n```js\n// vite.config.js\nexport default {\n  server: {\n    proxy: { "/api": '
            '"http://localhost:<<aport>>" },\n  },\n};\n```\n\nThen call `fetch("/api/orders")` without the host. '
            "For production, or if the frontend and API live on different domains, enable CORS in <<backend>> "
            "instead:\n\n" + config,
        ]
    )
    followups = [
        (
            "Can I just allow all origins with `*`?",
            "For a public, read-only API without credentials, that's fine. But browsers refuse `*` when the request "
            "includes cookies or credentials, and it lets any website call your API from a user's browser. List the "
            "origins you actually use and read them from configuration per environment.",
        ),
        (
            "Why does Postman work but the browser doesn't?",
            "CORS protects users, not servers: it stops a random website from using your browser's cookies to call "
            "another site's API. Postman isn't a browser and has no cookies from other sites, so it doesn't apply the "
            "check at all.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_group_by(rng: random.Random) -> DebugResult:
    table, group, datecol, val = rng.choice(
        [
            ("orders", "customer_id", "order_date", "total"),
            ("shipments", "depot", "shipped_at", "weight_kg"),
            ("tickets", "agent", "created_at", "minutes_spent"),
            ("payments", "merchant_id", "paid_at", "amount"),
        ]
    )
    p = {"t": table, "group": group, "datecol": datecol, "val": val}
    user = (
        'PostgreSQL gives me `ERROR: column "<<t>>.<<datecol>>" must appear in the GROUP BY clause or be used '
        "in an aggregate function` for this query:\n\n```sql\nSELECT <<group>>, <<datecol>>, SUM(<<val>>)\n"
        "FROM <<t>>\nGROUP BY <<group>>;\n```"
    )
    answer = rng.choice(
        [
            "With `GROUP BY <<group>>`, each output row represents many input rows, so Postgres can't know which "
            "`<<datecol>>` you want to show. Either aggregate it too, for example the latest one:\n\n```sql\n"
            "SELECT <<group>>, MAX(<<datecol>>) AS latest, SUM(<<val>>) AS total\nFROM <<t>>\nGROUP BY <<group>>;\n```"
            "\n\nor add it to the grouping if you want one row per <<group>> and date:\n\n```sql\n"
            "SELECT <<group>>, <<datecol>>::date AS day, SUM(<<val>>) AS total\nFROM <<t>>\nGROUP BY <<group>>, day;\n```",
            "Every column in the SELECT list has to be either in the GROUP BY or inside an aggregate. The fix depends on "
            "what you meant. For totals per <<group>> per month:\n\n```sql\nSELECT <<group>>, date_trunc('month', "
            "<<datecol>>) AS month, SUM(<<val>>) AS total\nFROM <<t>>\nGROUP BY <<group>>, month\nORDER BY <<group>>, "
            "month;\n```\n\nIf you just wanted one date per <<group>>, wrap it in `MIN()` or `MAX()`.",
        ]
    )
    followups = [
        (
            "How do I get the whole latest row per <<group>>, with all its columns?",
            "In PostgreSQL, `DISTINCT ON` is the neatest way:\n\n```sql\nSELECT DISTINCT ON (<<group>>) *\nFROM <<t>>\n"
            "ORDER BY <<group>>, <<datecol>> DESC;\n```\n\nIn other databases, use `ROW_NUMBER() OVER (PARTITION BY "
            "<<group>> ORDER BY <<datecol>> DESC)` in a subquery and keep the rows where it equals 1.",
        ),
        (
            "Why does the same query work in MySQL?",
            "Older MySQL versions, or servers with `ONLY_FULL_GROUP_BY` turned off, silently pick an arbitrary value for "
            "non-grouped columns. The query runs, but the date you get isn't guaranteed to be the one you expect, so "
            "PostgreSQL's error is doing you a favour.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_mutable_default(rng: random.Random) -> DebugResult:
    func, item, coll = rng.choice(
        [
            ("add_item", "item", "cart"),
            ("log_event", "event", "events"),
            ("add_tag", "tag", "tags"),
            ("append_row", "row", "rows"),
            ("register", "handler", "handlers"),
        ]
    )
    p = {"func": func, "item": item, "coll": coll}
    user = rng.choice(
        [
            "Weird bug: every time I call `<<func>>()`, the list still has the values from previous calls.\n\n```python\n"
            "def <<func>>(<<item>>, <<coll>>=[]):\n    <<coll>>.append(<<item>>)\n    return <<coll>>\n```",
            "Why does `<<func>>(x)` keep returning a longer and longer list? The default is an empty list:\n\n```python\n"
            "def <<func>>(<<item>>, <<coll>>=[]):\n    <<coll>>.append(<<item>>)\n    return <<coll>>\n```",
        ]
    )
    answer = (
        "Default values are evaluated once, when the function is defined, not each time it's called. So every "
        "call that doesn't pass `<<coll>>` shares the same list object, and appending to it changes the default "
        "for all later calls. Use `None` as the default and create a new list inside:\n\n```python\n"
        "def <<func>>(<<item>>, <<coll>>=None):\n    if <<coll>> is None:\n        <<coll>> = []\n"
        "    <<coll>>.append(<<item>>)\n    return <<coll>>\n```"
    )
    followups = [
        (
            "Does the same thing happen with dicts and sets?",
            "Yes, with any mutable default: lists, dicts, sets and custom objects. Immutable defaults such as numbers, "
            "strings, tuples and None are safe, because they can't be changed in place.",
        ),
        (
            "Can a linter catch this?",
            "Yes. Ruff and flake8-bugbear report it as B006, and pylint as W0102 (dangerous-default-value). Both point "
            "at the exact parameter.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_permission_denied(rng: random.Random) -> DebugResult:
    p = {"script": rng.choice(["deploy.sh", "backup.sh", "run_tests.sh", "setup.sh", "rotate_logs.sh"])}
    user = rng.choice(
        [
            "`./<<script>>` gives `bash: ./<<script>>: Permission denied`, but I own the file.",
            'Why do I get "Permission denied" when running ./<<script>>? I just cloned the repo.',
        ]
    )
    answer = (
        "The file isn't marked as executable. Owning it isn't enough: the execute bit has to be set. Either "
        "run it through bash explicitly:\n\n```bash\nbash <<script>>\n```\n\nor make it executable once:\n\n"
        "```bash\nchmod +x <<script>>\n./<<script>>\n```\n\nAlso check that the first line is a shebang such as "
        "`#!/usr/bin/env bash`, so the system knows which interpreter to use."
    )
    followups = [
        (
            "Will the executable bit survive when a colleague clones the repo?",
            "Yes, Git stores the executable bit. Commit it with `git update-index --chmod=+x <<script>>` (that also works "
            "from Windows, where chmod doesn't apply), and everyone who clones gets an executable file.",
        ),
        (
            "What does `#!/usr/bin/env bash` do exactly?",
            "It tells the kernel to run the file with whatever `bash` is first on your PATH. Using `env` instead of a "
            "hard-coded `/bin/bash` makes the script work on systems where bash lives somewhere else, such as macOS with "
            "a Homebrew bash.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_setting_with_copy(rng: random.Random) -> DebugResult:
    df, fcol, fval, ncol, nval = rng.choice(
        [
            ("orders", "country", "DE", "vat_rate", "0.19"),
            ("shipments", "status", "delayed", "priority", '"high"'),
            ("df", "region", "EMEA", "currency", '"EUR"'),
            ("customers", "tier", "gold", "discount", "0.1"),
        ]
    )
    sub = rng.choice(["subset", "filtered", "selection", df + "_" + fval.lower()])
    p = {"df": df, "fcol": fcol, "fval": fval, "ncol": ncol, "nval": nval, "sub": sub}
    user = (
        "pandas gives me `SettingWithCopyWarning: A value is trying to be set on a copy of a slice from a "
        'DataFrame` for this:\n\n```python\n<<sub>> = <<df>>[<<df>>["<<fcol>>"] == "<<fval>>"]\n'
        '<<sub>>["<<ncol>>"] = <<nval>>\n```\n\nShould I worry about it?'
    )
    answer = rng.choice(
        [
            "Yes, it's worth fixing, because the behaviour is ambiguous: filtering may return a view or a copy, so you "
            "can't be sure whether `<<df>>` is modified. Decide what you want. If you want a separate DataFrame, make the "
            'copy explicit:\n\n```python\n<<sub>> = <<df>>[<<df>>["<<fcol>>"] == "<<fval>>"].copy()\n'
            '<<sub>>["<<ncol>>"] = <<nval>>\n```\n\nIf you actually wanted to update the original, do it in one step '
            'with `.loc`:\n\n```python\n<<df>>.loc[<<df>>["<<fcol>>"] == "<<fval>>", "<<ncol>>"] = <<nval>>\n```',
            "The warning means you're assigning to something that might be a temporary copy, so the change may or may not "
            "reach `<<df>>`. If the goal is to set the column on matching rows of the original, use a single `.loc` "
            'call:\n\n```python\n<<df>>.loc[<<df>>["<<fcol>>"] == "<<fval>>", "<<ncol>>"] = <<nval>>\n```\n\n'
            "If `<<sub>>` is meant to be its own table, add `.copy()` when you create it and the warning goes away.",
        ]
    )
    followups = [
        (
            "Does this change in pandas 3?",
            "Yes. pandas 3 makes Copy-on-Write the default: any DataFrame or Series derived from another behaves like a "
            "copy, so this kind of chained assignment never modifies the original and the warning disappears. Code that "
            "relied on modifying through a slice needs `.loc` on the original.",
        ),
        (
            "Why not just silence the warning?",
            "You can, with `pd.options.mode.chained_assignment = None`, but then you lose the signal when an update "
            "silently doesn't happen. That's exactly the kind of bug that's painful to track down later.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_index_error(rng: random.Random) -> DebugResult:
    items = rng.choice(["readings", "prices", "temperatures", "timestamps", "distances"])
    p = {"items": items}
    user = rng.choice(
        [
            "I get `IndexError: list index out of range` in this loop:\n\n```python\nfor i in range(len(<<items>>)):\n"
            "    change = <<items>>[i + 1] - <<items>>[i]\n    print(change)\n```",
            "How do I compare each element of `<<items>>` with the next one? My loop crashes on the last element with "
            "IndexError.",
        ]
    )
    answer = rng.choice(
        [
            "On the last iteration, `i + 1` points one past the end of the list. Stop one element earlier, or better, "
            "pair each element with the next one directly:\n\n```python\nfrom itertools import pairwise  # Python 3.10+\n\n"
            "for current, following in pairwise(<<items>>):\n    print(following - current)\n```\n\nOn older Python, "
            "`zip(<<items>>, <<items>>[1:])` does the same thing.",
            "The loop runs `i` up to the last index, and `<<items>>[i + 1]` then goes past the end. The minimal fix is "
            "`range(len(<<items>>) - 1)`, but `zip` avoids index arithmetic altogether:\n\n```python\n"
            "changes = [b - a for a, b in zip(<<items>>, <<items>>[1:])]\n```\n\nThat also gives you an empty list, "
            "rather than an error, when there are fewer than two values.",
        ]
    )
    followups = [
        (
            "I've seen itertools.pairwise suggested for this. What does it return exactly?",
            "`pairwise([a, b, c, d])` yields `(a, b)`, `(b, c)`, `(c, d)`: each element paired with the one after it. "
            "It's lazy, so it works on any iterable, including generators and files, without building a copy.",
        ),
        (
            "How would I do the same in pandas?",
            "`series.diff()` gives the difference between each value and the previous one (the first is NaN), and "
            "`series.pct_change()` gives the relative change.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


def debug_circular_import(rng: random.Random) -> DebugResult:
    a, b, name_a, name_b = rng.choice(
        [
            ("models", "services", "User", "send_welcome"),
            ("orders", "invoices", "Order", "create_invoice"),
            ("app", "routes", "app", "register_routes"),
            ("inventory", "pricing", "Product", "price_for"),
        ]
    )
    p = {"a": a, "b": b, "na": name_a, "nb": name_b}
    user = (
        "I get `ImportError: cannot import name '<<na>>' from partially initialized module '<<a>>' (most likely "
        "due to a circular import)`. `<<a>>.py` imports `<<nb>>` from `<<b>>`, and `<<b>>.py` imports `<<na>>` "
        "from `<<a>>`."
    )
    answer = rng.choice(
        [
            "Python starts executing `<<a>>.py`, reaches `from <<b>> import <<nb>>`, starts executing `<<b>>.py`, which "
            "asks for `<<na>>` from `<<a>>`, but `<<a>>` is only half loaded and hasn't defined `<<na>>` yet. The usual "
            "fixes, best first:\n\n1. Move the shared code into a third module that both import, so the dependency only "
            "goes one way.\n2. If `<<b>>` only needs `<<na>>` for type hints, import it under `TYPE_CHECKING`:\n\n"
            "```python\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from <<a>> import <<na>>\n```\n\n"
            "3. As a last resort, import inside the function that needs it, so the import runs at call time.",
            "It's a cycle: each module needs the other to finish loading first. Importing the module instead of the name "
            "often breaks the cycle, because the attribute is only looked up when the code runs:\n\n```python\n"
            "# in <<b>>.py\nimport <<a>>\n\n\ndef something():\n    return <<a>>.<<na>>(...)\n```\n\nIn the long run, a "
            "cycle usually means the two modules share something that belongs in its own module.",
        ]
    )
    followups = [
        (
            "Why does it work when I run a different file first?",
            "Import order decides which module is half-initialised when the cycle is hit. Starting from another entry "
            "point can import them in an order that happens to work, which is why circular imports feel random. "
            "Breaking the cycle makes it work regardless of order.",
        ),
        (
            "Is importing inside a function bad practice?",
            "It's fine occasionally, and the cost is tiny after the first call because modules are cached. It becomes a "
            "smell when it's used everywhere to paper over a tangled structure.",
        ),
    ]
    return fill(user, **p), fill(answer, **p), [(fill(q, **p), fill(a, **p)) for q, a in followups]


DEBUG_TOPICS: dict[str, Callable[[random.Random], DebugResult]] = {
    "key_error": debug_key_error,
    "none_subscript": debug_none_subscript,
    "module_not_found": debug_module_not_found,
    "unicode_csv": debug_unicode_csv,
    "git_undo": debug_git_undo,
    "merge_conflict": debug_merge_conflict,
    "push_rejected": debug_push_rejected,
    "docker_port": debug_docker_port,
    "js_undefined": debug_js_undefined,
    "cors": debug_cors,
    "group_by": debug_group_by,
    "mutable_default": debug_mutable_default,
    "permission_denied": debug_permission_denied,
    "setting_with_copy": debug_setting_with_copy,
    "index_error": debug_index_error,
    "circular_import": debug_circular_import,
}

CODE_INTROS = [
    "",
    "",
    "Quick question.",
    "I'm practising for interviews.",
    "For a small script at work:",
    "I'm learning Python and stuck on this one.",
    "Need a helper for a data cleaning script.",
    "Can you help me with something?",
    "Probably a basic one, sorry.",
]
CODE_CONSTRAINTS = [
    "",
    "",
    "",
    "Only the standard library, please.",
    "Please keep it readable rather than clever.",
    "It needs to work on Python 3.10.",
    "Type hints would be nice.",
]
CODE_ANSWER_INTROS = [
    "Here's a straightforward version:",
    "Sure. Here's one way to do it:",
    "Here's an implementation using only the standard library:",
    "This should do it:",
    "Here you go:",
    "Sure thing:",
]
CODE_FOLLOWUP_QUESTIONS = {
    "tests": [
        "Can you add some pytest tests for it?",
        "How would I test this?",
        "Could you write a few unit tests?",
    ],
    "complexity": [
        "What's the time complexity?",
        "How does this scale with big inputs?",
        "Is this efficient for large inputs?",
    ],
    "edge": [
        "What happens with empty input or other edge cases?",
        "Any edge cases I should worry about?",
        "What are the gotchas with this approach?",
    ],
}
MODULE_NAMES = ["utils", "helpers", "text_tools", "mylib", "solution", "core"]


def numbered(steps: Sequence[str]) -> str:
    return "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))


def exchange_count(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4], weights=[30, 35, 25, 10])[0]


def add_followups(rng: random.Random, n: int, followups: list[Exchange]) -> list[Exchange]:
    chosen = rng.sample(followups, min(n - 1, len(followups)))
    thanks = (pick(rng, THANKS_EXCHANGES[0]), pick(rng, THANKS_EXCHANGES[1]))
    if len(chosen) < n - 1:
        chosen.append(thanks)
    elif chosen and rng.random() < 0.2:
        chosen[-1] = thanks
    return chosen


def to_messages(system: str, turns: list[Exchange]) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": system}] if system else []
    for user, assistant in turns:
        msgs += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return msgs


def it_conversation(rng: random.Random, topic: dict[str, Any]) -> tuple[str, list[Exchange]]:
    ctx = it_context(rng)
    details = rng.sample(topic["detail"], k=rng.choice([0, 1, 1, 2]))
    user = join_sentences(pick(rng, IT_OPENERS), pick(rng, topic["problem"]), *details, pick(rng, IT_ASKS))
    k = rng.randint(3, min(5, len(topic["steps"])))
    steps = [topic["steps"][i] for i in [0, *sorted(rng.sample(range(1, len(topic["steps"])), k - 1))]]
    head = join_sentences(pick(rng, IT_INTROS), pick(rng, STEP_INTROS))
    tail = join_sentences(pick(rng, topic["wrap"]) if rng.random() < 0.6 else "", pick(rng, IT_CLOSINGS))
    answer = "\n\n".join(x for x in (head, numbered(steps), tail) if x)
    followups = [(pick(rng, qs), pick(rng, answers)) for qs, answers in topic["followups"]]
    turns = [(user, answer), *add_followups(rng, exchange_count(rng), followups)]
    system = pick(rng, IT_SYSTEM_PROMPTS) if rng.random() < 0.5 else ""
    return system, [(u.format_map(ctx), a.format_map(ctx)) for u, a in turns]


def code_conversation(rng: random.Random, task: dict[str, Any], impl: int) -> tuple[str, list[Exchange]]:
    code, explain = task["impls"][impl]
    user = join_sentences(pick(rng, CODE_INTROS), pick(rng, task["asks"]), pick(rng, CODE_CONSTRAINTS))
    answer = f"{pick(rng, CODE_ANSWER_INTROS)}\n\n```python\n{code}\n```\n\n{explain}"
    module = pick(rng, MODULE_NAMES)
    tests = "\n".join(("    " + line) if line else "" for line in task["tests"].split("\n"))
    fname = "test_" + re.sub(r"(?<!^)(?=[A-Z])", "_", task["name"]).lower()
    followups = [
        (
            pick(rng, CODE_FOLLOWUP_QUESTIONS["tests"]),
            f"Sure. Save these as test_{module}.py next to your module:\n\n```python\nfrom {module} import {task['name']}"
            f"\n\n\ndef {fname}() -> None:\n{tests}\n```\n\nRun them with `pytest -q`.",
        ),
        (pick(rng, CODE_FOLLOWUP_QUESTIONS["complexity"]), task["complexity"]),
        (pick(rng, CODE_FOLLOWUP_QUESTIONS["edge"]), task["edge"]),
    ]
    turns = [(user, answer), *add_followups(rng, exchange_count(rng), followups)]
    return (pick(rng, CODE_SYSTEM_PROMPTS) if rng.random() < 0.45 else ""), turns


def debug_conversation(rng: random.Random, key: str) -> tuple[str, list[Exchange]]:
    user, answer, followups = DEBUG_TOPICS[key](rng)
    user = join_sentences(pick(rng, ["", "", "", "Hi!", "Hey!", "Quick question.", "Help please."]), user)
    turns = [(user, answer), *add_followups(rng, exchange_count(rng), followups)]
    return (pick(rng, CODE_SYSTEM_PROMPTS) if rng.random() < 0.45 else ""), turns


def conversation_text(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages)


def first_user(messages: list[dict[str, str]]) -> str:
    return next(m["content"] for m in messages if m["role"] == "user")


def generate_conversations(
    rng: random.Random, gate: DiversityGate, n_it: int, n_debug: int, n_code: int
) -> list[tuple[str, list[dict[str, str]]]]:
    """Diverse conversations (topic key, messages) from the IT, debugging and code-writing pools."""
    out: list[tuple[str, list[dict[str, str]]]] = []

    def run(target: int, make: Callable[[], tuple[str, str, list[Exchange]]]) -> None:
        made, attempts = 0, 0
        while made < target:
            attempts += 1
            if attempts > target * 200:
                raise RuntimeError("conversation pools too small for the requested count")
            bucket, system, turns = make()
            messages = to_messages(system, turns)
            if gate.admit(bucket, conversation_text(messages), first_user(messages)):
                out.append((bucket, messages))
                made += 1

    def make_it() -> tuple[str, str, list[Exchange]]:
        topic = rng.choice(IT_TOPICS)
        return ("it:" + topic["key"], *it_conversation(rng, topic))

    def make_debug() -> tuple[str, str, list[Exchange]]:
        key = rng.choice(list(DEBUG_TOPICS))
        return ("debug:" + key, *debug_conversation(rng, key))

    def make_code() -> tuple[str, str, list[Exchange]]:
        task = rng.choice(CODE_TASKS)
        impl = rng.randrange(len(task["impls"]))
        return (f"code:{task['name']}", *code_conversation(rng, task, impl))

    run(n_it, make_it)
    run(n_debug, make_debug)
    run(n_code, make_code)
    return out


def long_setup_guide() -> list[dict[str, str]]:
    """One conversation whose assistant turn is a very long, complete workstation guide (planted over-length row)."""
    winget = [
        "Git.Git",
        "Microsoft.VisualStudioCode",
        "Microsoft.WindowsTerminal",
        "Microsoft.PowerShell",
        "Docker.DockerDesktop",
        "Python.Python.3.12",
        "OpenJS.NodeJS.LTS",
        "JetBrains.PyCharm.Community",
        "Postman.Postman",
        "DBeaver.DBeaver",
        "Microsoft.AzureCLI",
        "Amazon.AWSCLI",
        "Hashicorp.Terraform",
        "Kubernetes.kubectl",
        "Helm.Helm",
        "GitHub.cli",
        "7zip.7zip",
        "Notepad++.Notepad++",
        "WinMerge.WinMerge",
        "Microsoft.PowerToys",
        "jqlang.jq",
        "Graphviz.Graphviz",
        "Insomnia.Insomnia",
        "Mozilla.Firefox",
        "Google.Chrome",
        "SlackTechnologies.Slack",
        "Obsidian.Obsidian",
        "WiresharkFoundation.Wireshark",
    ]
    apt = [
        "build-essential",
        "curl",
        "wget",
        "unzip",
        "zip",
        "jq",
        "make",
        "git",
        "ca-certificates",
        "gnupg",
        "libssl-dev",
        "zlib1g-dev",
        "libbz2-dev",
        "libreadline-dev",
        "libsqlite3-dev",
        "libffi-dev",
        "liblzma-dev",
        "tk-dev",
        "postgresql-client",
        "redis-tools",
        "htop",
        "tree",
        "ripgrep",
        "fd-find",
    ]
    extensions = [
        "ms-python.python",
        "ms-python.vscode-pylance",
        "charliermarsh.ruff",
        "ms-toolsai.jupyter",
        "ms-vscode-remote.remote-wsl",
        "ms-vscode-remote.remote-containers",
        "ms-azuretools.vscode-docker",
        "dbaeumer.vscode-eslint",
        "esbenp.prettier-vscode",
        "eamodio.gitlens",
        "github.vscode-pull-request-github",
        "redhat.vscode-yaml",
        "hashicorp.terraform",
        "ms-kubernetes-tools.vscode-kubernetes-tools",
        "editorconfig.editorconfig",
        "streetsidesoftware.code-spell-checker",
        "yzhang.markdown-all-in-one",
        "mechatroniks.rainbow-csv",
        "humao.rest-client",
        "tamasfe.even-better-toml",
    ]
    sections = [
        (
            "1. Before you start",
            "Make sure the laptop is fully updated: open Settings > Windows Update, install "
            "everything, and restart until no updates are pending. Check you have at least 60 GB of free disk space, "
            "because Docker images and WSL distributions grow quickly. Connect to the office network or the VPN for the "
            "first run, since some package sources are only reachable through our proxy.",
        ),
        (
            "2. Install the base tools with winget",
            "Open Windows Terminal as your normal user (not as "
            "administrator) and run these one at a time. If a package asks for elevation, Company Portal handles it "
            "automatically for approved software:\n\n```powershell\n"
            + "\n".join(
                f"winget install --id {pkg} --exact --accept-package-agreements --accept-source-agreements"
                for pkg in winget
            )
            + "\n```\n\nClose and reopen the terminal afterwards so the new PATH entries are "
            "picked up.",
        ),
        (
            "3. Configure Git",
            "Set your identity and sensible defaults. Use your work address for user.email so "
            'commits are linked to your account:\n\n```bash\ngit config --global user.name "Your Name"\n'
            'git config --global user.email "<your work address>"\ngit config --global init.defaultBranch main\n'
            "git config --global pull.rebase true\ngit config --global fetch.prune true\n"
            "git config --global core.autocrlf input\ngit config --global rerere.enabled true\n```",
        ),
        (
            "4. Create an SSH key for GitHub",
            "Generate a key, start the agent and add the key to it, then upload the "
            'public key to GitHub with the GitHub CLI:\n\n```bash\nssh-keygen -t ed25519 -C "work '
            'laptop"\neval "$(ssh-agent -s)"\nssh-add ~/.ssh/id_ed25519\ngh auth login\n'
            'gh ssh-key add ~/.ssh/id_ed25519.pub --title "work laptop"\n```\n\nThe GitHub CLI uploads the public key '
            "for you. Remember to authorise the key for our organisation's single sign-on on the same settings page.",
        ),
        (
            "5. Set up WSL2 with Ubuntu",
            "Most of our services are developed inside WSL2. Install it from an "
            "elevated terminal, restart when asked, then create your Linux user:\n\n```powershell\n"
            "wsl --install -d Ubuntu-22.04\nwsl --set-default-version 2\n```\n\nInside Ubuntu, install the packages "
            "our build scripts expect:\n\n```bash\nsudo apt update && sudo apt upgrade -y\nsudo apt install -y "
            + " \\\n  ".join(apt)
            + "\n```\n\nKeep your code inside the Linux file system (for example ~/code) rather "
            "than under /mnt/c, because file access across the boundary is many times slower.",
        ),
        (
            "6. Python",
            "Use pyenv inside WSL so each project can pin its own version, and pipx for command-line "
            "tools:\n\n```bash\ncurl https://pyenv.run | bash\n# add the three lines it prints to ~/.bashrc, then:\n"
            'exec "$SHELL"\npyenv install 3.12.4\npyenv global 3.12.4\npython -m pip install --user pipx\n'
            "pipx ensurepath\npipx install uv\npipx install pre-commit\npipx install ruff\n```\n\nEvery repository "
            "has a README section that says which Python version it expects. Create the virtual environment with "
            "`uv venv` and install with `uv pip install -r requirements.txt`, or follow the repository's Makefile.",
        ),
        (
            "7. Node.js",
            "Use nvm so you can switch versions per project:\n\n```bash\ncurl -o- "
            'https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash\nexec "$SHELL"\nnvm install '
            "--lts\nnvm alias default lts/*\ncorepack enable\n```\n\nCorepack gives you the exact pnpm or yarn version "
            "declared in each project's package.json, so you never need to install them globally.",
        ),
        (
            "8. Docker Desktop",
            "Open Docker Desktop once after installing it and accept the licence (we have a "
            "company subscription). Under Settings > Resources > WSL Integration, enable integration with your Ubuntu "
            "distribution. Under Resources > Advanced, limit memory to about half of the laptop's RAM so the rest of the "
            "system stays responsive. Check it works from WSL:\n\n```bash\ndocker run --rm hello-world\n"
            "docker compose version\n```",
        ),
        (
            "9. VS Code extensions",
            "Install the extensions we use across most repositories. Run this from a "
            "terminal where the `code` command is available:\n\n```bash\n"
            + "\n".join(f"code --install-extension {ext}" for ext in extensions)
            + "\n```\n\nThen open a repository from WSL "
            "with `code .` so VS Code runs its server inside Linux, which is much faster than editing across the "
            "boundary.",
        ),
        (
            "10. Shell quality of life",
            "These aliases are optional but popular on the team. Add them to ~/.bashrc:"
            "\n\n```bash\nalias gs='git status -sb'\nalias gl='git log --oneline --graph --decorate -20'\n"
            "alias dcu='docker compose up -d'\nalias dcd='docker compose down'\nalias venv='source .venv/bin/activate'"
            '\nexport EDITOR="code --wait"\n```',
        ),
        (
            "11. Company certificates and proxy",
            "Some internal services use certificates signed by our own "
            "certificate authority. Windows already trusts it, but WSL, Python and Node need to be told about it. "
            "Download the root certificate from the intranet's IT page, then:\n\n```bash\nsudo cp brightline-root.crt "
            "/usr/local/share/ca-certificates/\nsudo update-ca-certificates\nexport "
            "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt\nexport "
            "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n```\n\nPut the two export lines in ~/.bashrc so they "
            "survive restarts.",
        ),
        (
            "12. Check everything",
            "Run through this list before you start on a ticket. Each command should print a "
            "version number or a friendly message, not an error:\n\n```bash\ngit --version\ngh auth status\n"
            "python --version\nuv --version\nnode --version\npnpm --version\ndocker run --rm hello-world\nterraform "
            "-version\nkubectl version --client\naws --version\naz version\n```\n\nFinally, clone the "
            "onboarding repository, run `make setup` and then `make test`. If the tests pass, your machine is ready. If "
            "anything fails, post the full output in the #dev-help channel, since someone has almost certainly seen the "
            "same error before.",
        ),
    ]
    guide = (
        "Here's the complete setup, in the order that avoids most problems. It takes about two hours, most of "
        "which is waiting for downloads.\n\n"
        + "\n\n".join(f"## {title}\n\n{body}" for title, body in sections)
    )
    assert token_estimate(guide) > 2000 and len(guide) > 8000, len(guide)
    return [
        {"role": "system", "content": CODE_SYSTEM_PROMPTS[3]},
        {
            "role": "user",
            "content": "I'm a new developer starting next week. Can you give me the complete list of "
            "everything I need to install and configure on my Windows laptop, with every "
            "command, so I don't have to ask for each thing separately?",
        },
        {"role": "assistant", "content": guide},
    ]


def build_chat(rng: random.Random, gate: DiversityGate) -> tuple[list[dict[str, Any]], Counter[str]]:
    defects: Counter[str] = Counter()
    convs = generate_conversations(rng, gate, n_it=235, n_debug=150, n_code=105)
    rng.shuffle(convs)
    records = [{"messages": msgs, "kind": "ordinary", "bucket": bucket} for bucket, msgs in convs]

    for rec in records[:4]:
        assistants = [m for m in rec["messages"] if m["role"] == "assistant"]
        rng.choice(assistants)["content"] = ""
        rec["kind"] = "empty_assistant"
        defects["empty_assistant_turn"] += 1
    rec = next(r for r in records[4:] if r["kind"] == "ordinary" and r["bucket"].startswith("it:"))
    target = next(m for m in rec["messages"] if m["role"] == "assistant")
    target["content"] = mojibake(
        typographic(target["content"]) + " Don\u2019t hesitate to come back if it recurs."
    )
    rec["kind"] = "mojibake"
    defects["mojibake"] += 1
    rec = next(r for r in records[4:] if r["kind"] == "ordinary" and r["bucket"].startswith("it:"))
    target = next(m for m in rec["messages"] if m["role"] == "user")
    target["content"] += (
        " If it's easier, email me at daniel.okafor@brightlinelogistics.com and I'll reply from my phone."
    )
    rec["kind"] = "pii"
    defects["pii_email"] += 1

    clean = [r for r in records if r["kind"] == "ordinary"]
    sources = rng.sample(clean, 9)
    extra = []
    for src in sources[:6]:
        extra.append({"messages": json.loads(json.dumps(src["messages"])), "kind": "exact_duplicate"})
        defects["exact_duplicate"] += 1
    for i, src in enumerate(sources[6:]):
        msgs = json.loads(json.dumps(src["messages"]))
        user = next(m for m in msgs if m["role"] == "user")
        if i == 0:
            user["content"] = (
                user["content"].replace("?", "??", 1) if "?" in user["content"] else user["content"] + "!"
            )
        elif i == 1:
            user["content"] = user["content"][0].lower() + user["content"][1:].rstrip(".?!")
        else:
            last = [m for m in msgs if m["role"] == "assistant"][-1]
            last["content"] = re.sub(r"\bthe\b", "this", last["content"], count=1)
            if last["content"] == src["messages"][-1]["content"]:
                last["content"] += " Hope that helps!"
        extra.append({"messages": msgs, "kind": "near_duplicate"})
        defects["near_duplicate"] += 1
    extra.append({"messages": long_setup_guide(), "kind": "long_assistant_turn"})
    defects["long_assistant_turn"] += 1

    records += extra
    rng.shuffle(records)
    assert len(records) == 500, len(records)
    return records, defects


# --------------------------------------------------------------------------------------------------------------
# alpaca.json / sharegpt.json content: general instruction-following tasks with checkable answers
# --------------------------------------------------------------------------------------------------------------

# (title, passage, summary)
PASSAGES: list[tuple[str, str, str]] = [
    (
        "Library extends opening hours",
        "The Riverside Community Library will extend its opening hours from next month, staying open until 9 pm on "
        "weekdays and opening on Sundays for the first time. The change follows a survey in which more than 1,400 "
        "residents said evening access was their top priority. To cover the extra hours, the library is hiring four "
        "part-time staff and will rely on the self-service checkout machines installed last year. The council has "
        "approved an additional £85,000 for the first year, after which the trial will be reviewed based on visitor "
        "numbers.",
        "From next month, Riverside Community Library will open until 9 pm on weekdays and on Sundays, after residents "
        "asked for evening access. The council is funding the extra hours as a one-year trial.",
    ),
    (
        "Accounting app adds automatic bank matching",
        "Northwind Software has released version 5.0 of its accounting app for small businesses. The biggest change is "
        "automatic bank matching: the app now suggests which invoice a payment belongs to, and the company says this "
        "cut reconciliation time by about 60% in early tests. The update also adds support for multiple currencies and "
        "a redesigned mobile app. Existing customers get the update free of charge, but the price of new subscriptions "
        "will rise from $19 to $24 a month in January.",
        "Northwind Software's accounting app version 5.0 adds automatic bank matching, multi-currency support and a new "
        "mobile app. It's free for existing customers, while new subscriptions will cost more from January.",
    ),
    (
        "Short walks and afternoon energy",
        "Researchers following 2,300 office workers for six months found that those who took a five-minute walk every "
        "hour reported feeling less tired in the afternoon than colleagues who stayed seated. The walkers also reported "
        "fewer back and neck complaints. The effect on productivity was less clear: managers rated both groups about "
        "the same. The authors caution that the study relied on self-reported tiredness and that the participants chose "
        "which group to join, so the walkers may have been more health-conscious to begin with.",
        "Office workers who walked for five minutes every hour reported less afternoon tiredness and fewer back and neck "
        "complaints, but productivity didn't clearly change, and the study's design limits how far the results can be "
        "trusted.",
    ),
    (
        "Late winner keeps title hopes alive",
        "Harbour City FC kept their title hopes alive with a 2-1 win over Eastvale on Saturday. Eastvale took the lead "
        "just before half-time through a deflected free kick, but Harbour City equalised ten minutes after the break "
        "when Marta Ruiz headed in a corner. The winner came in the 88th minute from 19-year-old substitute Kofi Mensah, "
        "his first goal for the club. The result leaves Harbour City two points behind the leaders with three games "
        "left.",
        "Harbour City FC came from behind to beat Eastvale 2-1, with a late first goal from teenage substitute Kofi "
        "Mensah, and are now two points off the top with three games to play.",
    ),
    (
        "Beach clean-up collects three tonnes of litter",
        "More than 600 volunteers removed 3.2 tonnes of litter from twelve kilometres of coastline over the weekend. "
        "Plastic bottles and food packaging made up almost half of what was collected, followed by fishing gear and "
        "cigarette ends. Organisers said the amount was down slightly on last year, which they put down to new bins "
        "installed along the promenade. Everything collected will be sorted, and about a third is expected to be "
        "recycled.",
        "Over 600 volunteers collected 3.2 tonnes of litter, mostly plastic packaging, from twelve kilometres of "
        "coastline. The total was slightly lower than last year, possibly thanks to new bins.",
    ),
    (
        "Coffee chain closes ten branches",
        "Coffee chain Bean & Leaf will close ten of its 85 branches by the end of the year, mainly in city-centre "
        "locations where office workers have not returned full-time. The company said suburban branches were trading "
        "well and that it plans to open six new ones near train stations next year. Staff at the closing branches will "
        "be offered jobs at other locations. The chain's chief executive said the decision reflected 'where our "
        "customers now spend their weekdays'.",
        "Bean & Leaf is closing ten city-centre branches because fewer office workers are around, while opening six new "
        "branches near stations. Affected staff will be offered jobs elsewhere in the chain.",
    ),
    (
        "Rail timetable changes in September",
        "From 1 September, the regional rail operator will run trains every 15 minutes between Ashford Junction and the "
        "city centre at peak times, up from every 20 minutes. Off-peak services will stay the same. To make room for the "
        "extra trains, two rarely used stops will only be served once an hour. The operator says the change will add "
        "around 4,000 seats each morning and evening, and season ticket prices will not change this year.",
        "From 1 September, peak trains between Ashford Junction and the city centre will run every 15 minutes, adding "
        "about 4,000 seats, while two quiet stops will get an hourly service. Season ticket prices stay the same.",
    ),
    (
        "Primary school adds coding lessons",
        "Greenfield Primary School will teach coding to all pupils from the age of seven, starting in the spring term. "
        "Lessons will use simple visual programming tools at first, with older pupils moving on to controlling small "
        "robots. Teachers have completed a two-day training course, and a local software company has donated 30 "
        "tablets. The head teacher said the aim was 'not to turn every child into a programmer, but to help them "
        "understand the technology they use every day'.",
        "Greenfield Primary will teach coding to pupils from age seven from the spring term, using visual tools and "
        "small robots, with trained teachers and donated tablets.",
    ),
    (
        "How honeybees share directions",
        "Honeybees tell each other where to find food using a movement known as the waggle dance. A forager returning "
        "to the hive runs in a straight line while waggling its body, then loops back and repeats. The angle of the "
        "straight run relative to vertical shows the direction of the food relative to the sun, and the length of the "
        "waggle indicates how far away it is. Other bees follow the dancer closely and then fly off to the location it "
        "described.",
        "Honeybees use the waggle dance to share where food is: the angle of the dance shows the direction relative to "
        "the sun, and the duration of the waggle shows the distance.",
    ),
    (
        "The Great Fire of London",
        "The Great Fire of London began in the early hours of 2 September 1666 at a bakery on Pudding Lane. Strong "
        "winds and closely packed timber houses helped it spread, and it burned for four days. It destroyed more than "
        "13,000 houses, 87 parish churches and the old St Paul's Cathedral. Only a handful of deaths were recorded, "
        "although historians believe the real number was higher. The rebuilding that followed introduced wider streets "
        "and buildings made of brick and stone.",
        "The Great Fire of London started in a Pudding Lane bakery in September 1666 and burned for four days, "
        "destroying over 13,000 houses, 87 churches and St Paul's Cathedral. London was rebuilt with wider streets and "
        "brick and stone buildings.",
    ),
    (
        "Why compound interest matters",
        "Compound interest means earning interest on your interest as well as on the original amount. If you invest "
        "1,000 at 5% a year, you have 1,050 after one year. In the second year you earn 5% on 1,050, not on 1,000, so "
        "you end up with 1,102.50. The difference looks small at first, but over decades it becomes large: after 30 "
        "years the same investment grows to about 4,322, compared with 2,500 under simple interest. This is why "
        "starting to save early makes such a difference.",
        "Compound interest pays interest on previously earned interest, so savings grow faster over time than with "
        "simple interest, which is why saving early pays off.",
    ),
    (
        "Amber warning for strong winds",
        "Forecasters have issued an amber warning for strong winds across the north-west from 6 pm on Friday until noon "
        "on Saturday. Gusts of up to 75 mph are possible on exposed coasts, with 50 to 60 mph inland. Ferry crossings "
        "are likely to be cancelled and some roads may close because of fallen trees. People are advised to secure "
        "garden furniture and bins and to avoid coastal paths. Conditions are expected to improve quickly on Saturday "
        "afternoon.",
        "An amber wind warning covers the north-west from Friday evening to Saturday noon, with gusts up to 75 mph on "
        "coasts, likely ferry cancellations and possible road closures.",
    ),
    (
        "Toaster recall",
        "Kitchen appliance maker HomeWell is recalling about 12,000 toasters sold between March and August after "
        "reports that the pop-up mechanism can stick, causing bread to burn. The company has received 37 reports, "
        "including two small fires, but no injuries. Affected models have the code HT-220 on the base. Customers are "
        "asked to stop using them immediately and can get a full refund or a replacement from any retailer, with or "
        "without a receipt.",
        "HomeWell is recalling around 12,000 HT-220 toasters because the pop-up mechanism can stick and burn bread. "
        "Owners should stop using them and can get a refund or a replacement.",
    ),
    (
        "New hybrid working policy",
        "From March, employees will be able to work from home for up to three days a week, as long as their team "
        "agrees on at least one shared office day. Managers can make exceptions for roles that need to be on site. "
        "The company will also provide a one-off allowance of £300 for home office equipment, and desks in the office "
        "will move to a booking system. The policy will be reviewed after six months based on a staff survey.",
        "From March, staff can work from home up to three days a week, with one agreed team office day, a £300 home "
        "office allowance and bookable desks. The policy will be reviewed after six months.",
    ),
    (
        "What happens during a total solar eclipse",
        "A total solar eclipse happens when the Moon passes directly between the Sun and Earth and completely covers "
        "the Sun's disc. For a few minutes, the sky darkens, the temperature drops and the Sun's outer atmosphere, the "
        "corona, becomes visible as a pale glow. Totality can only be seen from a narrow path on Earth's surface; "
        "people outside it see a partial eclipse. Looking at the Sun is only safe during totality itself, so special "
        "eclipse glasses are needed before and after.",
        "In a total solar eclipse the Moon completely covers the Sun, briefly darkening the sky and revealing the "
        "corona. It's only visible along a narrow path, and eye protection is needed except during totality.",
    ),
    (
        "Oats and cholesterol",
        "Oats contain a type of soluble fibre called beta-glucan, which forms a gel in the gut. This gel binds to "
        "cholesterol-rich bile acids and helps remove them from the body, which can lower LDL cholesterol. Studies "
        "suggest that about three grams of beta-glucan a day, roughly the amount in a large bowl of porridge, is needed "
        "to see an effect. Instant oats contain the same fibre, but sugary flavoured versions can undo some of the "
        "benefit.",
        "The beta-glucan fibre in oats can lower LDL cholesterol by helping the body remove bile acids, with about three "
        "grams a day, roughly a large bowl of porridge, needed for an effect.",
    ),
    (
        "Protected bike lanes approved",
        "The city council has approved eight kilometres of protected bike lanes along the ring road, separated from "
        "traffic by low kerbs. Construction will start in April and take about a year. To make space, one lane of "
        "car parking will be removed on two streets, which some shop owners oppose. The council points to figures "
        "showing that cycling on a similar route rose by 40% after protected lanes were added, and it has promised to "
        "add short-stay loading bays for businesses.",
        "The council approved eight kilometres of protected bike lanes on the ring road, to be built from April, "
        "removing some parking despite objections from shop owners, who will get loading bays.",
    ),
    (
        "Customer complaint about a delayed sofa",
        "Dear customer services, I ordered a three-seater sofa on 2 May and was told it would be delivered within four "
        "weeks. It is now the end of June and I have had no delivery date. I have called twice and each time been told "
        "someone would call me back, but nobody has. I have already paid in full. If I do not receive a firm delivery "
        "date by Friday, I would like to cancel the order and receive a full refund.",
        "The customer's sofa, ordered and paid for on 2 May, is weeks late with no delivery date and no promised "
        "call-backs. They want a firm date by Friday, or they'll cancel and ask for a full refund.",
    ),
    (
        "Project meeting notes",
        "Attendees agreed that the website launch will move from 3 June to 17 June because the payment provider needs "
        "more time for security testing. Priya will update the launch plan and tell the marketing team today. Tom "
        "reported that the product photos are finished, but the copy for six pages is still missing; Aisha will write "
        "it by Friday. The budget is on track. The next meeting is on Tuesday at 10 am.",
        "The website launch moves from 3 June to 17 June for payment security testing. Priya updates the plan, Aisha "
        "writes the missing page copy by Friday, the budget is on track, and the team meets again on Tuesday.",
    ),
    (
        "Robot learns to sort recycling",
        "Engineers at a university robotics lab have trained a small robotic arm to sort household recycling. Using a "
        "camera and a model trained on 50,000 photos, the arm picks out plastic, cans and paper from a moving belt with "
        "about 92% accuracy. It struggles with crushed items and black plastic, which is hard for the camera to see. "
        "The team hopes to test it at a local recycling centre next year, where it would work alongside human sorters "
        "rather than replace them.",
        "A university lab's camera-guided robotic arm sorts recycling with about 92% accuracy but struggles with crushed "
        "items and black plastic. It will be tested alongside human sorters next year.",
    ),
]

FORMAL_REWRITES: list[tuple[str, str]] = [
    (
        "hey, can u send me the report by tmrw? thx",
        "Could you please send me the report by tomorrow? Thank you.",
    ),
    (
        "Sorry I'm late, traffic was crazy.",
        "I apologise for my late arrival; the traffic was exceptionally heavy.",
    ),
    (
        "We gotta push the meeting, something came up.",
        "Unfortunately, we need to postpone the meeting due to an unforeseen issue.",
    ),
    (
        "The new app is kinda buggy and people hate it.",
        "The new application has a number of defects, and user feedback has been largely negative.",
    ),
    (
        "Can't make it Friday, how about Monday?",
        "I am unable to attend on Friday. Would Monday be convenient for you?",
    ),
    ("Thanks a ton for helping out with the move!", "Thank you very much for your assistance with the move."),
    (
        "Your invoice is way overdue, pay up asap.",
        "Your invoice is now significantly overdue. Please arrange payment at your earliest convenience.",
    ),
    (
        "I think the numbers are off, can you double-check?",
        "I believe there may be an error in the figures. Could you please verify them?",
    ),
    (
        "FYI the server's gonna be down Sat night for upgrades.",
        "Please note that the server will be unavailable on Saturday evening for scheduled upgrades.",
    ),
    (
        "Loved your talk, super useful stuff!",
        "I greatly enjoyed your presentation and found it extremely informative.",
    ),
    (
        "We're out of printer paper again, someone order more pls.",
        "We have run out of printer paper again. Could someone please order more?",
    ),
    ("No way we can hit that deadline.", "I am concerned that we will not be able to meet that deadline."),
    (
        "Just checking if you got my last email?",
        "I am writing to confirm whether you received my previous email.",
    ),
    (
        "The hotel was a dump and the staff didn't care.",
        "The hotel was in poor condition, and the staff appeared indifferent to our concerns.",
    ),
    (
        "Can you guys get back to me on the price?",
        "Could you please let me know the price at your earliest convenience?",
    ),
    (
        "I'm gonna need a couple more days on this.",
        "I will require a few additional days to complete this task.",
    ),
    (
        "Heads up, the client's pretty mad about the delay.",
        "Please be aware that the client is quite dissatisfied with the delay.",
    ),
    (
        "Don't forget to bring your ID tomorrow.",
        "Please remember to bring your identification with you tomorrow.",
    ),
    (
        "This idea is a total game changer!",
        "This idea has the potential to transform our approach significantly.",
    ),
    (
        "Got your message, will sort it out today.",
        "Thank you for your message. I will resolve the matter today.",
    ),
    (
        "Sorry, wrong file, here's the right one.",
        "I apologise for sending the incorrect file. Please find the correct version attached.",
    ),
    (
        "Anyone know why the wifi is so slow today?",
        "Does anyone know why the wireless connection is so slow today?",
    ),
    ("We need more hands on deck for the launch.", "We require additional staff to support the launch."),
    (
        "The budget's blown, we can't spend another penny.",
        "The budget has been exceeded, and no further expenditure can be approved.",
    ),
    (
        "Let's grab a coffee and hash it out.",
        "Perhaps we could meet for a coffee to discuss the matter in detail.",
    ),
    (
        "Please stop replying-all to these emails!!",
        'Kindly refrain from using "Reply All" when responding to these emails.',
    ),
    (
        "Their offer is way too low, we should walk away.",
        "Their offer is considerably below our expectations, and I recommend that we decline it.",
    ),
    ("Ping me when you're free.", "Please let me know when you are available."),
    (
        "Whoever took my lunch from the fridge, not cool.",
        "Would whoever removed my lunch from the shared refrigerator please refrain from doing so in future?",
    ),
    ("The kids had a blast at the museum.", "The children thoroughly enjoyed their visit to the museum."),
]
FORMAL_INSTRUCTIONS = [
    "Rewrite the following sentence in a formal tone.",
    "Make this message sound more professional.",
    "Convert this informal sentence into formal English.",
    "Rewrite this so it is suitable for a business email.",
]

# (language, English, translation)
TRANSLATIONS: list[tuple[str, str, str]] = [
    ("Spanish", "Where is the nearest pharmacy?", "¿Dónde está la farmacia más cercana?"),
    ("Spanish", "I would like a table for two, please.", "Quisiera una mesa para dos, por favor."),
    ("Spanish", "The meeting has been moved to Thursday.", "La reunión se ha trasladado al jueves."),
    ("Spanish", "Could you speak more slowly, please?", "¿Podría hablar más despacio, por favor?"),
    ("Spanish", "My flight leaves at seven in the morning.", "Mi vuelo sale a las siete de la mañana."),
    ("Spanish", "Thank you for your patience.", "Gracias por su paciencia."),
    ("Spanish", "The train is twenty minutes late.", "El tren lleva veinte minutos de retraso."),
    ("Spanish", "I have lost my keys.", "He perdido mis llaves."),
    ("French", "I don't understand.", "Je ne comprends pas."),
    ("French", "Is breakfast included?", "Le petit-déjeuner est-il compris ?"),
    ("French", "I am looking for the train station.", "Je cherche la gare."),
    ("French", "Can I pay by card?", "Est-ce que je peux payer par carte ?"),
    ("French", "The museum is closed on Mondays.", "Le musée est fermé le lundi."),
    (
        "French",
        "I would like to book a room for three nights.",
        "Je voudrais réserver une chambre pour trois nuits.",
    ),
    ("French", "See you next week.", "À la semaine prochaine."),
    ("French", "I am allergic to peanuts.", "Je suis allergique aux cacahuètes."),
    ("German", "How do I get to the airport?", "Wie komme ich zum Flughafen?"),
    ("German", "I don't speak German very well.", "Ich spreche nicht sehr gut Deutsch."),
    ("German", "Can you help me, please?", "Können Sie mir bitte helfen?"),
    ("German", "The shop is closed on Sundays.", "Der Laden ist sonntags geschlossen."),
    ("German", "We need a taxi for four people.", "Wir brauchen ein Taxi für vier Personen."),
    ("German", "Is this seat free?", "Ist dieser Platz frei?"),
    ("German", "Please call me back this afternoon.", "Bitte rufen Sie mich heute Nachmittag zurück."),
    ("German", "How long does the journey take?", "Wie lange dauert die Fahrt?"),
]

# Hand-written general tasks with no input: (instruction, output)
GENERAL_TASKS: list[tuple[str, str]] = [
    (
        "Explain the difference between weather and climate.",
        "Weather is the state of the atmosphere at a particular place and time: today's temperature, rain, wind and "
        "cloud. Climate is the average pattern of weather in a region over a long period, usually 30 years or more. A "
        "cold week in summer is weather; the fact that summers in that region are usually warm and dry is climate.",
    ),
    (
        "Give three tips for writing a clear email.",
        "1. Put the main point or request in the first two sentences, so the reader knows what you need.\n2. Keep "
        "paragraphs short and cover one topic per email where possible.\n3. Write a specific subject line, such as "
        '"Approval needed: Q3 budget by Friday", rather than "Quick question".',
    ),
    (
        "What is the difference between a virus and a bacterium?",
        "Bacteria are single-celled living organisms that can reproduce on their own, and many are harmless or even "
        "useful. Viruses are much smaller, are not cells, and can only reproduce by infecting a host cell. Antibiotics "
        "can treat bacterial infections but have no effect on viruses.",
    ),
    (
        "Write a haiku about autumn.",
        "Red leaves drift and fall\nthe garden exhales slowly\ncold light on the path",
    ),
    (
        "List five ways to reduce food waste at home.",
        "1. Plan meals for the week and shop with a list.\n2. Store food properly, for example herbs in water and bread "
        'in the freezer.\n3. Use the "first in, first out" rule in the fridge.\n4. Cook with leftovers, such as '
        'stir-fries, soups and frittatas.\n5. Understand labels: "best before" is about quality, "use by" is about '
        "safety.",
    ),
    (
        "Explain what an API is to someone who doesn't work in tech.",
        "An API is like a restaurant menu for software. The menu lists what you can order and how to ask for it, and "
        "the kitchen does the work without you seeing how. In the same way, an API lists the requests one program can "
        'make to another, such as "get today\'s weather for Paris", and returns the answer in an agreed format.',
    ),
    (
        "What are the main causes of inflation?",
        "Inflation usually comes from three sources: demand rising faster than the economy can produce goods and "
        "services (demand-pull), rising costs for businesses such as energy or wages that are passed on in prices "
        "(cost-push), and expectations, where people and firms expect prices to rise and set wages and prices "
        "accordingly. Rapid growth in the money supply can also feed all three.",
    ),
    (
        "Suggest a name for a small bakery that specialises in sourdough bread.",
        'Some options: "Slow Rise Bakery", "The Starter Loaf", "Crumb & Crust", "Wild Yeast Kitchen" or '
        '"Proof". "Slow Rise" works well because it hints at the long fermentation that makes sourdough special.',
    ),
    (
        "Describe the water cycle in a few sentences.",
        "The sun heats water in oceans, lakes and rivers, and it evaporates into water vapour. As the vapour rises, it "
        "cools and condenses into clouds. When the droplets grow heavy enough, they fall as precipitation such as rain "
        "or snow. The water collects in rivers, lakes, oceans and underground, and the cycle starts again.",
    ),
    (
        "What should I include in a cover letter?",
        "A good cover letter has four parts: a short opening that names the role and why you're interested; one or two "
        "paragraphs linking your most relevant experience to the job's main requirements, with specific examples; a "
        "sentence on why you want to work for that organisation in particular; and a brief closing that thanks the "
        "reader and says you'd welcome an interview. Keep it to one page.",
    ),
    (
        "Explain the difference between 'affect' and 'effect'.",
        'In most cases, "affect" is a verb meaning to influence ("The weather affected our plans"), and "effect" '
        'is a noun meaning a result ("The weather had a big effect on our plans"). A useful memory aid: Affect is an '
        'Action, and an Effect is the End result. "Effect" can also be a verb meaning to bring about, as in "to '
        'effect change".',
    ),
    (
        "Give me a simple stretching routine for people who sit at a desk all day.",
        "Try this every couple of hours, holding each stretch for about 20 seconds:\n1. Neck tilt: ear towards "
        "shoulder, each side.\n2. Shoulder rolls: ten backwards, ten forwards.\n3. Chest opener: clasp your hands behind "
        "your back and gently lift.\n4. Seated twist: turn your upper body to each side, holding the chair back.\n5. "
        "Hip flexor stretch: stand, step one foot back and tuck your hips under.\nStop if anything hurts.",
    ),
    (
        "What is the difference between a stock and a bond?",
        "A stock is a share of ownership in a company: its value rises and falls with the company's fortunes, and it "
        "may pay dividends. A bond is a loan to a company or government: the issuer pays regular interest and returns "
        "the original amount at the end of the term. Bonds are generally less risky than stocks but usually offer lower "
        "long-term returns.",
    ),
    (
        "Write a short thank-you note to a colleague who helped you meet a deadline.",
        "Hi Sam,\n\nThank you so much for jumping in to help with the report last week. Your work on the data tables "
        "saved me hours, and we wouldn't have made the deadline without you. Coffee is on me next time!\n\nBest,\nAlex",
    ),
    (
        "How does a refrigerator keep food cold?",
        "A refrigerator moves heat from inside to outside rather than creating cold. A refrigerant liquid evaporates in "
        "coils inside the fridge, absorbing heat as it turns into a gas. A compressor then squeezes the gas, which heats "
        "it up, and it releases that heat through coils at the back before condensing back into a liquid and repeating "
        "the cycle.",
    ),
    (
        "Give three arguments for and against school uniforms.",
        "For: uniforms reduce visible differences in family income; they save time and decisions in the morning; and "
        "they can build a sense of belonging.\nAgainst: they limit self-expression; they can be expensive when only "
        "sold by specific suppliers; and there is little clear evidence that they improve behaviour or results.",
    ),
    (
        "Explain what photosynthesis is.",
        "Photosynthesis is the process plants, algae and some bacteria use to make their own food. Using energy from "
        "sunlight, they combine carbon dioxide from the air with water to produce glucose, and release oxygen as a "
        "by-product. It mostly happens in the chloroplasts of leaf cells, which contain the green pigment chlorophyll.",
    ),
    (
        "Recommend a structure for a 10-minute presentation.",
        "1. Opening (1 minute): the problem or question and why it matters.\n2. Main points (7 minutes): two or three "
        "key points, each with one example or chart.\n3. Summary (1 minute): repeat the key message in one sentence.\n"
        "4. Close (1 minute): the action you want the audience to take, then questions.",
    ),
    (
        "Explain what a password manager does and why it's useful.",
        "A password manager stores your passwords in an encrypted vault protected by one strong master password. It can "
        "generate long, random, unique passwords for every site and fill them in for you. That means a breach at one "
        "website can't be used to get into your other accounts, and you no longer need to remember dozens of "
        "passwords.",
    ),
    (
        "What are the benefits of regular exercise?",
        "Regular exercise strengthens the heart and lungs, helps control weight and blood pressure, builds muscle and "
        "bone strength, improves sleep, and lowers the risk of conditions such as type 2 diabetes. It also has clear "
        "mental health benefits, including lower stress and a better mood.",
    ),
    (
        "Write a one-sentence product description for a reusable water bottle.",
        "Keep drinks cold for 24 hours or hot for 12 with this leak-proof, stainless steel bottle that fits in any cup "
        "holder and replaces hundreds of single-use plastic bottles a year.",
    ),
    (
        "What's the difference between RAM and storage?",
        "RAM is short-term working memory: it holds the programs and data you're using right now, is very fast, and is "
        "cleared when the computer turns off. Storage (an SSD or hard drive) keeps your files and apps permanently, even "
        "without power, but is slower. More RAM helps with multitasking; more storage lets you keep more files.",
    ),
    (
        "Give me an idea for a quick, healthy weekday dinner.",
        "Try a chickpea and spinach curry: fry an onion with garlic, ginger and curry powder, add a tin of chopped "
        "tomatoes and a tin of chickpeas, simmer for ten minutes, then stir in a few handfuls of spinach until wilted. "
        "Serve with rice or flatbread. It takes about 20 minutes and is high in fibre and protein.",
    ),
    (
        "Explain why the sky is blue.",
        "Sunlight contains all colours. When it passes through the atmosphere, it collides with gas molecules, which "
        "scatter shorter wavelengths, such as blue, much more than longer ones, such as red. This is called Rayleigh "
        "scattering. The scattered blue light comes at us from every direction, so the sky looks blue.",
    ),
    (
        "How can I prepare for a job interview?",
        "Research the organisation and the role; prepare short stories for common questions using the STAR method "
        "(Situation, Task, Action, Result); have two or three thoughtful questions ready for the interviewer; practise "
        "answering out loud; and plan the logistics, such as the route, timing and what to wear, the day before.",
    ),
    (
        "What is the purpose of a budget?",
        "A budget is a plan for how money will be earned and spent over a period. It shows whether you can afford "
        "planned expenses, helps you spot where money is going, and lets you set aside amounts for goals such as "
        "savings or paying off debt. For organisations, it's also a way to agree priorities and track performance.",
    ),
    (
        "Write a friendly reminder message about tomorrow's team lunch.",
        "Hi everyone! Just a reminder that our team lunch is tomorrow at 12:30 at Luigi's on Market Street. Please let "
        "me know by 10 am if you can't make it, so I can update the booking. See you there!",
    ),
    (
        "What is the difference between machine learning and traditional programming?",
        "In traditional programming, a developer writes explicit rules, and the computer applies them to data to "
        "produce answers. In machine learning, the computer is given examples of data together with the answers, and it "
        "learns the rules itself by finding patterns. That makes machine learning useful for tasks where the rules are "
        "hard to write down, such as recognising images or speech.",
    ),
    (
        "Summarise the main idea of the 'tragedy of the commons'.",
        "The tragedy of the commons describes how a shared resource, such as a fishery or pasture, can be overused and "
        "ruined when everyone acts in their own short-term interest, even though all users would be better off if the "
        "resource were managed sustainably.",
    ),
    (
        "Give four tips for staying focused while working from home.",
        "1. Keep a dedicated workspace, even if it's just a corner of a table.\n2. Start at a set time and plan the "
        "day's three most important tasks.\n3. Work in focused blocks, for example 50 minutes, followed by short "
        "breaks.\n4. Turn off non-essential notifications and keep your phone in another room.",
    ),
]

SQL_SCHEMAS: dict[str, str] = {
    "employees": "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, department TEXT, salary REAL, "
    "hire_date TEXT, manager_id INTEGER)",
    "customers": "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, country TEXT, signup_date TEXT)",
    "orders": "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, order_date TEXT, status TEXT, "
    "total REAL)",
    "products": "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, category TEXT, price REAL, stock INTEGER)",
    "shipments": "CREATE TABLE shipments (id INTEGER PRIMARY KEY, depot TEXT, destination_city TEXT, shipped_at TEXT, "
    "delivered_at TEXT, weight_kg REAL)",
    "students": "CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT, year INTEGER)",
    "courses": "CREATE TABLE courses (id INTEGER PRIMARY KEY, title TEXT, credits INTEGER)",
    "enrollments": "CREATE TABLE enrollments (student_id INTEGER, course_id INTEGER, grade REAL)",
    "tickets": "CREATE TABLE tickets (id INTEGER PRIMARY KEY, agent TEXT, priority TEXT, created_at TEXT, "
    "resolved_at TEXT)",
    "page_views": "CREATE TABLE page_views (id INTEGER PRIMARY KEY, user_id INTEGER, url TEXT, viewed_at TEXT, "
    "duration_seconds INTEGER)",
    "payments": "CREATE TABLE payments (id INTEGER PRIMARY KEY, invoice_id INTEGER, amount REAL, paid_at TEXT, "
    "method TEXT)",
}

# (tables used, question, SQL, optional note)
SQL_TASKS: list[tuple[tuple[str, ...], str, str, str]] = [
    (
        ("employees",),
        "find the names of employees in the Sales department who earn more than 60,000",
        "SELECT name\nFROM employees\nWHERE department = 'Sales' AND salary > 60000;",
        "",
    ),
    (
        ("employees",),
        "show the average salary in each department, highest first",
        "SELECT department, AVG(salary) AS avg_salary\nFROM employees\nGROUP BY department\nORDER BY avg_salary DESC;",
        "",
    ),
    (
        ("employees",),
        "list the employees hired in 2023",
        "SELECT name, hire_date\nFROM employees\nWHERE hire_date >= '2023-01-01' AND hire_date < '2024-01-01';",
        "Using a half-open range instead of a year function lets the database use an index on hire_date.",
    ),
    (
        ("employees",),
        "find the three highest-paid employees",
        "SELECT name, salary\nFROM employees\nORDER BY salary DESC\nLIMIT 3;",
        "",
    ),
    (
        ("employees",),
        "show each employee next to the name of their manager",
        "SELECT e.name AS employee, m.name AS manager\nFROM employees AS e\nLEFT JOIN employees AS m ON m.id = "
        "e.manager_id;",
        "The LEFT JOIN keeps employees without a manager, such as the CEO, with an empty manager column.",
    ),
    (
        ("employees",),
        "count the employees in each department, keeping only departments with more than 5 people",
        "SELECT department, COUNT(*) AS headcount\nFROM employees\nGROUP BY department\nHAVING COUNT(*) > 5;",
        "HAVING filters after grouping, which is why the condition can't go in WHERE.",
    ),
    (
        ("customers", "orders"),
        "calculate total revenue per country from completed orders",
        "SELECT c.country, SUM(o.total) AS revenue\nFROM orders AS o\nJOIN customers AS c ON c.id = o.customer_id\n"
        "WHERE o.status = 'completed'\nGROUP BY c.country\nORDER BY revenue DESC;",
        "",
    ),
    (
        ("customers", "orders"),
        "find customers who have never placed an order",
        "SELECT c.id, c.name\nFROM customers AS c\nLEFT JOIN orders AS o ON o.customer_id = c.id\nWHERE o.id IS NULL;",
        "The LEFT JOIN keeps every customer, and customers without orders are the ones where the order columns are "
        "NULL.",
    ),
    (
        ("orders",),
        "count the orders placed in each month of 2024 (SQLite)",
        "SELECT strftime('%Y-%m', order_date) AS month, COUNT(*) AS orders\nFROM orders\n"
        "WHERE order_date >= '2024-01-01' AND order_date < '2025-01-01'\nGROUP BY month\nORDER BY month;",
        "",
    ),
    (
        ("customers", "orders"),
        "list the five customers who have spent the most in total",
        "SELECT c.name, SUM(o.total) AS total_spent\nFROM customers AS c\nJOIN orders AS o ON o.customer_id = c.id\n"
        "GROUP BY c.id, c.name\nORDER BY total_spent DESC\nLIMIT 5;",
        "",
    ),
    (
        ("orders",),
        "find pending orders that are more than 30 days old (SQLite)",
        "SELECT id, customer_id, order_date\nFROM orders\nWHERE status = 'pending' AND order_date < date('now', "
        "'-30 days');",
        "",
    ),
    (
        ("orders",),
        "calculate the average order value for each customer",
        "SELECT customer_id, ROUND(AVG(total), 2) AS avg_order_value\nFROM orders\nGROUP BY customer_id;",
        "",
    ),
    (
        ("products",),
        "list the products that are out of stock",
        "SELECT name, category\nFROM products\nWHERE stock = 0;",
        "",
    ),
    (
        ("products",),
        "find the most expensive product in each category",
        "SELECT p.category, p.name, p.price\nFROM products AS p\nWHERE p.price = (\n    SELECT MAX(price) FROM products "
        "WHERE category = p.category\n);",
        "If two products share the top price in a category, both are returned.",
    ),
    (
        ("products",),
        "count how many products there are in each category",
        "SELECT category, COUNT(*) AS product_count\nFROM products\nGROUP BY category;",
        "",
    ),
    (
        ("products",),
        "increase the price of every product in the Accessories category by 10%",
        "UPDATE products\nSET price = ROUND(price * 1.10, 2)\nWHERE category = 'Accessories';",
        "Run the matching SELECT first to check which rows will change.",
    ),
    (
        ("products",),
        "list products priced between 20 and 50, cheapest first",
        "SELECT name, price\nFROM products\nWHERE price BETWEEN 20 AND 50\nORDER BY price;",
        "",
    ),
    (
        ("shipments",),
        "calculate the average delivery time in days for each depot (SQLite)",
        "SELECT depot, ROUND(AVG(julianday(delivered_at) - julianday(shipped_at)), 1) AS avg_days\nFROM shipments\n"
        "WHERE delivered_at IS NOT NULL\nGROUP BY depot;",
        "Shipments that haven't been delivered yet are excluded, otherwise they would distort the average.",
    ),
    (
        ("shipments",),
        "list the shipments that have not been delivered yet",
        "SELECT id, depot, destination_city, shipped_at\nFROM shipments\nWHERE delivered_at IS NULL;",
        "",
    ),
    (
        ("shipments",),
        "find the total weight shipped to each destination city in March 2024",
        "SELECT destination_city, SUM(weight_kg) AS total_kg\nFROM shipments\n"
        "WHERE shipped_at >= '2024-03-01' AND shipped_at < '2024-04-01'\nGROUP BY destination_city\n"
        "ORDER BY total_kg DESC;",
        "",
    ),
    (
        ("shipments",),
        "find the heaviest shipment sent from each depot",
        "SELECT depot, id, weight_kg\nFROM (\n    SELECT depot, id, weight_kg,\n           ROW_NUMBER() OVER (PARTITION BY "
        "depot ORDER BY weight_kg DESC) AS rn\n    FROM shipments\n) AS ranked\nWHERE rn = 1;",
        "",
    ),
    (
        ("students", "courses", "enrollments"),
        "list every student together with the titles of their courses",
        "SELECT s.name, c.title\nFROM students AS s\nJOIN enrollments AS e ON e.student_id = s.id\n"
        "JOIN courses AS c ON c.id = e.course_id\nORDER BY s.name, c.title;",
        "",
    ),
    (
        ("courses", "enrollments"),
        "show the average grade for each course",
        "SELECT c.title, ROUND(AVG(e.grade), 1) AS avg_grade\nFROM courses AS c\nJOIN enrollments AS e ON e.course_id = "
        "c.id\nGROUP BY c.id, c.title;",
        "",
    ),
    (
        ("students", "enrollments"),
        "find students who are not enrolled in any course",
        "SELECT s.name\nFROM students AS s\nWHERE NOT EXISTS (\n    SELECT 1 FROM enrollments AS e WHERE e.student_id = "
        "s.id\n);",
        "",
    ),
    (
        ("students", "courses", "enrollments"),
        "calculate the total number of credits each student is taking",
        "SELECT s.name, SUM(c.credits) AS total_credits\nFROM students AS s\nJOIN enrollments AS e ON e.student_id = "
        "s.id\nJOIN courses AS c ON c.id = e.course_id\nGROUP BY s.id, s.name;",
        "",
    ),
    (
        ("tickets",),
        "count the open tickets for each priority",
        "SELECT priority, COUNT(*) AS open_tickets\nFROM tickets\nWHERE resolved_at IS NULL\nGROUP BY priority;",
        "",
    ),
    (
        ("tickets",),
        "calculate the average resolution time in hours for each agent (SQLite)",
        "SELECT agent, ROUND(AVG((julianday(resolved_at) - julianday(created_at)) * 24), 1) AS avg_hours\nFROM tickets\n"
        "WHERE resolved_at IS NOT NULL\nGROUP BY agent\nORDER BY avg_hours;",
        "",
    ),
    (
        ("tickets",),
        "find the agent who has resolved the most tickets",
        "SELECT agent, COUNT(*) AS resolved\nFROM tickets\nWHERE resolved_at IS NOT NULL\nGROUP BY agent\n"
        "ORDER BY resolved DESC\nLIMIT 1;",
        "",
    ),
    (
        ("page_views",),
        "find the 10 most viewed URLs",
        "SELECT url, COUNT(*) AS views\nFROM page_views\nGROUP BY url\nORDER BY views DESC\nLIMIT 10;",
        "",
    ),
    (
        ("page_views",),
        "count the distinct users who visited the site each day (SQLite)",
        "SELECT date(viewed_at) AS day, COUNT(DISTINCT user_id) AS users\nFROM page_views\nGROUP BY day\nORDER BY day;",
        "",
    ),
    (
        ("page_views",),
        "show the average time on page for each URL that has at least 100 views",
        "SELECT url, ROUND(AVG(duration_seconds), 1) AS avg_seconds\nFROM page_views\nGROUP BY url\n"
        "HAVING COUNT(*) >= 100;",
        "",
    ),
    (
        ("payments",),
        "show the total amount received by each payment method",
        "SELECT method, SUM(amount) AS total\nFROM payments\nGROUP BY method\nORDER BY total DESC;",
        "",
    ),
    (
        ("payments",),
        "find invoices that have been paid more than once",
        "SELECT invoice_id, COUNT(*) AS payments, SUM(amount) AS total_paid\nFROM payments\nGROUP BY invoice_id\n"
        "HAVING COUNT(*) > 1;",
        "These are candidates for refunds, since each invoice should normally be paid once.",
    ),
    (
        ("payments",),
        "list payments received in the last 7 days (SQLite)",
        "SELECT id, invoice_id, amount, paid_at\nFROM payments\nWHERE paid_at >= date('now', '-7 days')\n"
        "ORDER BY paid_at DESC;",
        "",
    ),
]


def schema_text(tables: Sequence[str]) -> str:
    lines = []
    for table in tables:
        cols = re.search(r"\((.*)\)", SQL_SCHEMAS[table])
        assert cols is not None
        names = [c.strip().split()[0] for c in cols[1].split(",")]
        lines.append(f"{table}({', '.join(names)})")
    return "\n".join(lines)


def check_sql_tasks() -> int:
    """Every query must run against the declared schema (SQLite), so no example teaches broken SQL."""
    db = sqlite3.connect(":memory:")
    for ddl in SQL_SCHEMAS.values():
        db.execute(ddl)
    for _tables, _question, sql, _note in SQL_TASKS:
        db.execute(sql)
    db.close()
    return len(SQL_TASKS)


PEOPLE = [
    "Maya",
    "Leo",
    "Priya",
    "Sam",
    "Amara",
    "Jonas",
    "Elif",
    "Tom",
    "Chen",
    "Rosa",
    "Omar",
    "Hana",
    "Ivan",
    "Lucia",
    "Kwame",
    "Nora",
]
MathProblem = dict[str, str]


def money(value: float, cur: str) -> str:
    value = round(value + 1e-9, 2)
    return f"{cur}{value:,.0f}" if value == int(value) else f"{cur}{value:,.2f}"


def num(value: float, places: int = 1) -> str:
    value = round(value, places)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.{places}f}"


def hours_minutes(hours: float) -> str:
    total = round(hours * 60)
    h, m = divmod(total, 60)
    return f"{h} hours {m} minutes" if m else f"{h} hours"


def math_change(rng: random.Random) -> MathProblem:
    name, cur = rng.choice(PEOPLE), rng.choice(["$", "£", "€"])
    item, price = rng.choice(
        [
            ("notebook", [1.5, 2.25, 3.0, 3.75]),
            ("muffin", [1.75, 2.5, 2.8]),
            ("pen", [0.9, 1.2, 1.35]),
            ("bus ticket", [2.4, 2.75, 3.1]),
            ("coffee", [2.6, 3.2, 3.45]),
            ("birthday card", [2.95, 3.5, 4.25]),
        ]
    )
    p, n = rng.choice(price), rng.randint(2, 8)
    bill = next(b for b in (10, 20, 50, 100) if b >= (n + 1) * p)
    cost, cost2 = n * p, (n + 1) * p
    return {
        "problem": f"{name} buys {n} {item}s at {money(p, cur)} each and pays with a {money(bill, cur)} note. How much "
        f"change should {name} get?",
        "solution": f"Cost of the {item}s: {n} x {money(p, cur)} = {money(cost, cur)}.\nChange: {money(bill, cur)} - "
        f"{money(cost, cur)} = {money(bill - cost, cur)}.\n\nAnswer: {money(bill - cost, cur)}",
        "whatif_q": f"What if {name} bought one more {item}?",
        "whatif_a": f"Then {n + 1} {item}s cost {n + 1} x {money(p, cur)} = {money(cost2, cur)}, so the change would be "
        f"{money(bill, cur)} - {money(cost2, cur)} = {money(bill - cost2, cur)}.",
    }


def math_speed(rng: random.Random) -> MathProblem:
    v, h = rng.choice([60, 72, 80, 90, 96, 120]), rng.choice([1.5, 2, 2.5, 3, 4])
    vehicle = rng.choice(["train", "coach", "car", "ferry"])
    d, v2 = v * h, v + rng.choice([10, 15, 20, 30])
    return {
        "problem": f"A {vehicle} travels {num(d)} km in {num(h)} hours. What is its average speed?",
        "solution": f"Average speed = distance / time = {num(d)} km / {num(h)} h = {v} km/h.\n\nAnswer: {v} km/h",
        "whatif_q": f"How long would the same journey take at {v2} km/h?",
        "whatif_a": f"Time = distance / speed = {num(d)} / {v2} = {num(d / v2, 2)} hours, which is about "
        f"{hours_minutes(d / v2)}.",
    }


def math_discount(rng: random.Random) -> MathProblem:
    item = rng.choice(
        ["jacket", "desk lamp", "pair of trainers", "backpack", "coffee machine", "bike helmet"]
    )
    cur, p, pct = rng.choice(["$", "£", "€"]), rng.randrange(40, 255, 5), rng.choice([10, 15, 20, 25, 30, 40])
    sale = p * (100 - pct) / 100
    return {
        "problem": f"A {item} costs {money(p, cur)}. It's on sale for {pct}% off. What is the sale price?",
        "solution": f"Discount: {pct}% of {money(p, cur)} = {money(p * pct / 100, cur)}.\nSale price: {money(p, cur)} - "
        f"{money(p * pct / 100, cur)} = {money(sale, cur)}.\n\nAnswer: {money(sale, cur)}",
        "whatif_q": "And if there's an extra 10% off the sale price at the till?",
        "whatif_a": f"10% off {money(sale, cur)} is {money(sale * 0.1, cur)}, so you'd pay {money(sale * 0.9, cur)}. "
        f"Note that this is not the same as {pct + 10}% off the original price, which would be "
        f"{money(p * (90 - pct) / 100, cur)}.",
    }


def math_recipe(rng: random.Random) -> MathProblem:
    s, per = rng.choice([4, 6]), rng.choice([40, 50, 60, 75])
    ingredient, unit = rng.choice(
        [("flour", "g"), ("milk", "ml"), ("rice", "g"), ("sugar", "g"), ("stock", "ml")]
    )
    t, t2 = rng.sample([2, 3, 5, 8, 10, 12], 2)
    g = per * s
    return {
        "problem": f"A recipe for {s} people needs {g} {unit} of {ingredient}. How much {ingredient} is needed for "
        f"{t} people?",
        "solution": f"Per person: {g} / {s} = {per} {unit}.\nFor {t} people: {per} x {t} = {per * t} {unit}.\n\n"
        f"Answer: {per * t} {unit}",
        "whatif_q": f"How much for {t2} people?",
        "whatif_a": f"{per} {unit} per person x {t2} = {per * t2} {unit}.",
    }


def math_workers(rng: random.Random) -> MathProblem:
    r, w = rng.choice([6, 8, 9, 12, 15]), rng.choice([3, 4, 5])
    w2, h = rng.choice([6, 7, 10]), rng.choice([2, 3, 4])
    target = rng.choice([300, 450, 600, 900])
    return {
        "problem": f"{w} workers can pack {r * w} boxes in an hour. Working at the same rate, how many boxes can {w2} "
        f"workers pack in {h} hours?",
        "solution": f"One worker packs {r * w} / {w} = {r} boxes per hour.\n{w2} workers for {h} hours: {r} x {w2} x {h} "
        f"= {r * w2 * h} boxes.\n\nAnswer: {r * w2 * h} boxes",
        "whatif_q": f"How long would it take {w2} workers to pack {target} boxes?",
        "whatif_a": f"Together they pack {r} x {w2} = {r * w2} boxes per hour, so {target} / {r * w2} = "
        f"{num(target / (r * w2), 2)} hours, about {hours_minutes(target / (r * w2))}.",
    }


def math_average(rng: random.Random) -> MathProblem:
    name = rng.choice(PEOPLE)
    scores = [rng.randint(58, 96) for _ in range(4)]
    total = sum(scores)
    goal = min(total // 4 + rng.choice([2, 3, 4]), 90)
    need = goal * 5 - total
    while need > 100:
        goal -= 1
        need = goal * 5 - total
    listing = ", ".join(map(str, scores[:-1])) + f" and {scores[-1]}"
    return {
        "problem": f"{name} scored {listing} on four tests. What is {name}'s average score?",
        "solution": f"Sum: {' + '.join(map(str, scores))} = {total}.\nAverage: {total} / 4 = {num(total / 4, 2)}.\n\n"
        f"Answer: {num(total / 4, 2)}",
        "whatif_q": f"What score would {name} need on a fifth test to bring the average up to {goal}?",
        "whatif_a": f"An average of {goal} over five tests needs a total of {goal} x 5 = {goal * 5}. {name} has {total} "
        f"so far, so the fifth score must be {goal * 5} - {total} = {need}.",
    }


def math_interest(rng: random.Random) -> MathProblem:
    cur, p = rng.choice(["$", "£", "€"]), rng.randrange(500, 5001, 250)
    r, t = rng.choice([2, 3, 4, 5, 6]), rng.choice([2, 3, 4, 5])
    simple, compound = p * r * t / 100, p * (1 + r / 100) ** t - p
    return {
        "problem": f"{money(p, cur)} is invested at {r}% simple interest per year. How much interest does it earn in "
        f"{t} years?",
        "solution": f"Simple interest = principal x rate x time = {money(p, cur)} x {r / 100:g} x {t} = "
        f"{money(simple, cur)}.\n\nAnswer: {money(simple, cur)}",
        "whatif_q": "How much would it earn with compound interest instead, compounded once a year?",
        "whatif_a": f"With yearly compounding the balance is {money(p, cur)} x {1 + r / 100:g}^{t} = "
        f"{money(p + compound, cur)}, so the interest is {money(compound, cur)}, which is "
        f"{money(compound - simple, cur)} more than with simple interest.",
    }


def math_fence(rng: random.Random) -> MathProblem:
    cur, length, w = rng.choice(["$", "£", "€"]), rng.randint(8, 30), rng.randint(4, 15)
    c = rng.choice([12, 15, 18.5, 22, 27.5])
    per = 2 * (length + w)
    return {
        "problem": f"A rectangular garden is {length} m long and {w} m wide. Fencing costs {money(c, cur)} per metre. How "
        f"much does it cost to fence the whole garden?",
        "solution": f"Perimeter: 2 x ({length} + {w}) = {per} m.\nCost: {per} x {money(c, cur)} = {money(per * c, cur)}.\n\n"
        f"Answer: {money(per * c, cur)}",
        "whatif_q": "What's the area of the garden?",
        "whatif_a": f"Area = length x width = {length} x {w} = {length * w} square metres.",
    }


def math_ages(rng: random.Random) -> MathProblem:
    older, younger = rng.sample(PEOPLE, 2)
    a, k, y = rng.randint(4, 12), rng.randint(2, 4), rng.randint(2, 8)
    total = (k * a + y) + (a + y)
    return {
        "problem": f"{older} is {k} times as old as {younger}. In {y} years, the sum of their ages will be {total}. How "
        f"old is {younger} now?",
        "solution": f"Let {younger}'s age be x, so {older} is {k}x.\nIn {y} years: ({k}x + {y}) + (x + {y}) = {total}, "
        f"so {k + 1}x + {2 * y} = {total}.\n{k + 1}x = {total - 2 * y}, so x = {a}.\n\n"
        f"Answer: {younger} is {a} years old (and {older} is {k * a}).",
        "whatif_q": f"How old will {older} be when {younger} turns 18?",
        "whatif_a": f"{younger} turns 18 in {18 - a} years, so {older} will be {k * a} + {18 - a} = "
        f"{k * a + 18 - a}.",
    }


def math_time(rng: random.Random) -> MathProblem:
    start = dt.datetime(2024, 1, 1, rng.choice([13, 14, 17, 18, 19, 20]), rng.choice([0, 15, 30, 40, 45, 50]))
    dur = rng.randrange(95, 170, 5)
    end, end2 = start + dt.timedelta(minutes=dur), start + dt.timedelta(minutes=dur + 20)
    event = rng.choice(["film", "concert", "football match, including half-time,", "play"])
    return {
        "problem": f"A {event} starts at {start:%H:%M} and lasts {dur} minutes. What time does it finish?",
        "solution": f"{dur} minutes = {dur // 60} hour{'s' if dur >= 120 else ''} {dur % 60} minutes.\n"
        f"{start:%H:%M} + {dur // 60}h {dur % 60}min = {end:%H:%M}.\n\nAnswer: {end:%H:%M}",
        "whatif_q": "If it starts 20 minutes late, when does it finish?",
        "whatif_a": f"Everything shifts by 20 minutes, so it finishes at {end2:%H:%M}.",
    }


def math_unit_price(rng: random.Random) -> MathProblem:
    cur = rng.choice(["$", "£", "€"])
    item = rng.choice(["yoghurts", "batteries", "tins of tomatoes", "rolls of tape", "granola bars"])
    n1, n2 = rng.choice([4, 6]), rng.choice([8, 12])
    u1, u2 = rng.choice([0.45, 0.5, 0.6, 0.75]), 0.0
    while u2 in (0.0, u1):
        u2 = rng.choice([0.4, 0.45, 0.5, 0.55, 0.65])
    p1, p2 = round(n1 * u1, 2), round(n2 * u2, 2)
    cheap, dear = ("B", "A") if u2 < u1 else ("A", "B")
    saving = 24 * abs(u1 - u2)
    return {
        "problem": f"Pack A has {n1} {item} for {money(p1, cur)}. Pack B has {n2} for {money(p2, cur)}. Which pack is "
        f"better value?",
        "solution": f"Pack A: {money(p1, cur)} / {n1} = {money(u1, cur)} each.\nPack B: {money(p2, cur)} / {n2} = "
        f"{money(u2, cur)} each.\n\nAnswer: Pack {cheap} is better value.",
        "whatif_q": f"How much would I save on 24 {item} by choosing the better pack?",
        "whatif_a": f"24 at {money(max(u1, u2), cur)} each (pack {dear}) costs {money(24 * max(u1, u2), cur)}; 24 at "
        f"{money(min(u1, u2), cur)} (pack {cheap}) costs {money(24 * min(u1, u2), cur)}. You'd save "
        f"{money(saving, cur)}.",
    }


def math_savings(rng: random.Random) -> MathProblem:
    name, cur = rng.choice(PEOPLE), rng.choice(["$", "£", "€"])
    s, target = rng.randrange(15, 65, 5), rng.randrange(250, 1550, 50)
    goal = rng.choice(["a new bike", "a laptop", "a weekend trip", "concert tickets", "a camera"])
    weeks, weeks2 = -(-target // s), -(-target // (s + 10))
    return {
        "problem": f"{name} saves {money(s, cur)} a week for {goal} that costs {money(target, cur)}. How many weeks "
        f"will it take?",
        "solution": f"{money(target, cur)} / {money(s, cur)} = {num(target / s, 2)}, and since {name} can only save "
        f"whole weeks, round up.\n\nAnswer: {weeks} weeks",
        "whatif_q": f"What if {name} saved {money(s + 10, cur)} a week instead?",
        "whatif_a": f"{money(target, cur)} / {money(s + 10, cur)} = {num(target / (s + 10), 2)}, so {weeks2} weeks, "
        f"which is {weeks - weeks2} week{'s' if weeks - weeks2 != 1 else ''} sooner.",
    }


def math_reading(rng: random.Random) -> MathProblem:
    name, pages = rng.choice(PEOPLE), rng.randrange(120, 481, 12)
    f1, label1 = rng.choice([(3, "a third"), (4, "a quarter")])
    f2, label2 = rng.choice([(2, "half"), (3, "a third")])
    mon = pages // f1
    tue = (pages - mon) // f2
    left = pages - mon - tue
    per_day = rng.choice([15, 20, 25])
    return {
        "problem": f"{name} is reading a {pages}-page book. On Monday {name} reads {label1} of it, and on Tuesday "
        f"{label2} of the pages that are left. How many pages are still unread?",
        "solution": f"Monday: {pages} / {f1} = {mon} pages, leaving {pages - mon}.\nTuesday: {pages - mon} / {f2} = "
        f"{tue} pages.\nUnread: {pages - mon} - {tue} = {left}.\n\nAnswer: {left} pages",
        "whatif_q": f"If {name} then reads {per_day} pages a day, how many more days to finish?",
        "whatif_a": f"{left} / {per_day} = {num(left / per_day, 2)}, so {-(-left // per_day)} more days (the last day "
        f"is a short one)."
        if left % per_day
        else f"{left} / {per_day} = {left // per_day} more days.",
    }


def math_tip(rng: random.Random) -> MathProblem:
    cur = rng.choice(["$", "£", "€"])
    bill = rng.randrange(4000, 24000, 5) / 100
    tip, n = rng.choice([10, 12.5, 15, 18, 20]), rng.randint(2, 6)
    total = round(bill * (1 + tip / 100), 2)
    return {
        "problem": f"A restaurant bill comes to {money(bill, cur)}. The group adds a {num(tip)}% tip and splits the "
        f"total equally between {n} people. How much does each person pay?",
        "solution": f"Tip: {num(tip)}% of {money(bill, cur)} = {money(bill * tip / 100, cur)}.\nTotal: "
        f"{money(total, cur)}.\nEach: {money(total, cur)} / {n} = {money(total / n, cur)}.\n\n"
        f"Answer: {money(total / n, cur)} each",
        "whatif_q": "What if one more person joins and the total stays the same?",
        "whatif_a": f"{money(total, cur)} / {n + 1} = {money(total / (n + 1), cur)} each.",
    }


def math_fuel(rng: random.Random) -> MathProblem:
    cur = rng.choice(["$", "£", "€"])
    use, d, price = (
        rng.choice([5.2, 6.0, 6.8, 7.5]),
        rng.randrange(120, 910, 10),
        rng.choice([1.45, 1.59, 1.72, 1.89]),
    )
    litres = use * d / 100
    return {
        "problem": f"A car uses {num(use)} litres of fuel per 100 km. How much fuel does it need for a {d} km trip, "
        f"and what will that cost at {money(price, cur)} per litre?",
        "solution": f"Fuel: {num(use)} x {d} / 100 = {num(litres, 2)} litres.\nCost: {num(litres, 2)} x "
        f"{money(price, cur)} = {money(litres * price, cur)}.\n\nAnswer: {num(litres, 2)} litres, costing "
        f"about {money(litres * price, cur)}",
        "whatif_q": "How much would the return trip cost in total?",
        "whatif_a": f"Double it: {num(2 * litres, 2)} litres, about {money(2 * litres * price, cur)}.",
    }


MATH_TEMPLATES: list[Callable[[random.Random], MathProblem]] = [
    math_change,
    math_speed,
    math_discount,
    math_recipe,
    math_workers,
    math_average,
    math_interest,
    math_fence,
    math_ages,
    math_time,
    math_unit_price,
    math_savings,
    math_reading,
    math_tip,
    math_fuel,
]
MATH_INSTRUCTIONS = [
    "",
    "",
    "Solve this word problem and show your working: ",
    "Answer the following question step by step. ",
    "Work out the answer: ",
]


def conversion(rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(9)
    if kind == 0:
        f = rng.randrange(14, 105)
        c = (f - 32) * 5 / 9
        return (
            rng.choice([f"Convert {f}°F to Celsius.", f"What is {f} degrees Fahrenheit in Celsius?"]),
            f"{f}°F is about {num(c)}°C. Subtract 32 and multiply by 5/9: ({f} - 32) x 5/9 = {num(c, 2)}.",
        )
    if kind == 1:
        c = rng.randrange(-15, 41)
        f = c * 9 / 5 + 32
        return (
            rng.choice([f"Convert {c}°C to Fahrenheit.", f"What is {c} degrees Celsius in Fahrenheit?"]),
            f"{c}°C is {num(f)}°F. Multiply by 9/5 and add 32: {c} x 9/5 + 32 = {num(f, 2)}.",
        )
    if kind == 2:
        km = rng.choice([5, 8, 10, 15, 21.1, 42.2, 50, 100, 160, 250, 400])
        return (
            f"How many miles is {num(km)} km?",
            f"{num(km)} km is about {num(km * 0.621371, 2)} miles (1 km = 0.621371 miles).",
        )
    if kind == 3:
        mi = rng.choice([3, 6.2, 13.1, 26.2, 40, 60, 150, 300])
        return (
            f"Convert {num(mi)} miles to kilometres.",
            f"{num(mi)} miles is about {num(mi * 1.609344, 2)} km (1 mile = 1.609344 km).",
        )
    if kind == 4:
        kg = rng.choice([2.5, 5, 12, 23, 55, 68, 80, 95])
        return (
            f"What is {num(kg)} kg in pounds?",
            f"{num(kg)} kg is about {num(kg * 2.20462, 2)} lb (1 kg = 2.20462 lb).",
        )
    if kind == 5:
        lb = rng.choice([1, 8, 15, 50, 140, 180, 220])
        return (
            f"Convert {lb} pounds to kilograms.",
            f"{lb} lb is about {num(lb * 0.453592, 2)} kg (1 lb = 0.453592 kg).",
        )
    if kind == 6:
        ft, inch = rng.randint(4, 6), rng.randint(0, 11)
        cm = (ft * 12 + inch) * 2.54
        return (
            f"How tall is {ft} ft {inch} in, in centimetres?",
            f"{ft} ft {inch} in is {ft * 12 + inch} inches, and 1 inch = 2.54 cm, so it's {num(cm)} cm.",
        )
    if kind == 7:
        minutes = rng.randrange(75, 600, 5)
        return (
            f"Express {minutes} minutes in hours and minutes.",
            f"{minutes} minutes is {minutes // 60} hours and "
            f"{minutes % 60} minutes ({minutes} / 60 = {minutes // 60} remainder {minutes % 60}).",
        )
    litres = rng.choice([1, 2, 5, 10, 20, 40, 60])
    return (
        f"How many US gallons are in {litres} litres?",
        f"{litres} litres is about {num(litres * 0.264172, 2)} US gallons (1 litre = 0.264172 US gallons).",
    )


REVIEW_DOMAINS: dict[str, dict[str, list[tuple[str, str]] | list[str]]] = {
    "headphones": {
        "open": [
            "Bought these for my commute.",
            "Had them about two months now.",
            "Replacing an older pair.",
        ],
        "pos": [
            ("The noise cancelling is excellent on the train.", "the noise cancelling"),
            ("The battery easily lasts a week of daily use.", "the battery life"),
            ("They're light enough to wear all day.", "the comfort"),
            ("Calls sound clear on both ends.", "the call quality"),
        ],
        "neg": [
            ("The left earcup started crackling after a month.", "a crackling earcup"),
            ("The companion app crashes whenever I open the equaliser.", "the buggy app"),
            ("They leak so much sound that colleagues can hear my music.", "the sound leakage"),
            ("The case is flimsy and the hinge already feels loose.", "a flimsy case"),
        ],
    },
    "blender": {
        "open": ["Use it most mornings for smoothies.", "Got this as a gift.", "Bought it in the sale."],
        "pos": [
            ("It turns frozen fruit into a smooth drink in seconds.", "its blending power"),
            ("The jar is dishwasher safe, so cleaning up is easy.", "the easy cleaning"),
            ("It fits under my kitchen cabinets.", "its compact size"),
        ],
        "neg": [
            ("It's louder than a lawnmower.", "the noise"),
            ("The lid cracked the second time I used it.", "a lid that cracked"),
            ("The motor smells of burning after a minute.", "a burning smell from the motor"),
            ("Chunks of ice get stuck under the blades.", "ice getting stuck"),
        ],
    },
    "restaurant": {
        "open": [
            "Came here for a birthday dinner.",
            "Popped in for lunch on a Saturday.",
            "Booked a table for four.",
        ],
        "pos": [
            ("The pasta was cooked perfectly and the sauce was rich.", "the food"),
            (
                "Our server was friendly and remembered every order without writing it down.",
                "the friendly service",
            ),
            ("Prices are fair for the portion sizes.", "the value for money"),
            ("The desserts are clearly made in-house.", "the desserts"),
        ],
        "neg": [
            ("We waited 50 minutes for our main course.", "the long wait"),
            ("The table next to us was never cleared.", "poor cleanliness"),
            ("My steak arrived cold.", "cold food"),
            ("They added a service charge without telling us.", "a hidden service charge"),
        ],
    },
    "hotel": {
        "open": [
            "Stayed three nights for a conference.",
            "Weekend break with my partner.",
            "One night on a road trip.",
        ],
        "pos": [
            ("The room was spotless and the bed was very comfortable.", "the clean, comfortable room"),
            ("Reception let us check in early at no charge.", "the helpful reception"),
            ("The breakfast buffet had plenty of choice.", "the breakfast"),
            ("It's a five-minute walk from the station.", "the location"),
        ],
        "neg": [
            ("The walls are so thin we heard every conversation next door.", "the thin walls"),
            ("The Wi-Fi dropped constantly.", "the unreliable Wi-Fi"),
            ("We were charged for a minibar we never used.", "an incorrect charge"),
            ("The shower was lukewarm at best.", "the weak shower"),
        ],
    },
    "budgeting app": {
        "open": [
            "Switched from a spreadsheet.",
            "Been using it since January.",
            "Tried it on the free trial.",
        ],
        "pos": [
            ("Setting up a budget took less than five minutes.", "the quick setup"),
            ("The charts make it easy to see where my money goes.", "the clear charts"),
            ("Reminders stop me from missing bills.", "the bill reminders"),
        ],
        "neg": [
            ("It logs me out every single day.", "constant logouts"),
            ("The latest update removed dark mode.", "the removal of dark mode"),
            ("Syncing with my bank fails about half the time.", "unreliable bank syncing"),
            ("The subscription price doubled with no warning.", "the price rise"),
        ],
    },
    "online course": {
        "open": [
            "Took this to brush up for a new job.",
            "Finished all twelve modules.",
            "My employer paid for it.",
        ],
        "pos": [
            ("The instructor explains difficult topics in plain language.", "the clear explanations"),
            ("The exercises after each lesson really helped it stick.", "the exercises"),
            ("You can go at your own pace.", "the flexible pace"),
        ],
        "neg": [
            ("Half the videos have terrible audio.", "the poor audio"),
            ("The final project was never marked.", "an unmarked final project"),
            ("Some of the material is clearly years out of date.", "outdated material"),
        ],
    },
}
NEUTRAL_BITS = [
    "It does what it says, nothing more.",
    "Delivery took the usual three days.",
    "It's about what you'd expect for the price.",
    "It looks the same as in the photos.",
]
REVIEW_CLOSERS = {
    "Positive": ["Would recommend.", "Five stars from me.", "Very happy overall."],
    "Negative": ["I won't be buying again.", "Avoid.", "Really disappointed."],
    "Mixed": ["Not sure I'd buy it again.", "Hard to say if it's worth it.", "Could be great with fixes."],
    "Neutral": ["", "Fine."],
}


def review(rng: random.Random) -> tuple[str, str, list[str], list[str]]:
    domain = rng.choice(list(REVIEW_DOMAINS))
    spec = REVIEW_DOMAINS[domain]
    label = rng.choices(["Positive", "Negative", "Mixed", "Neutral"], weights=[35, 35, 22, 8])[0]
    pos = rng.sample(spec["pos"], 2)
    neg = rng.sample(spec["neg"], 2)
    if label == "Positive":
        parts = pos if rng.random() < 0.7 else [pos[0], (rng.choice(NEUTRAL_BITS), "")]
    elif label == "Negative":
        parts = neg if rng.random() < 0.7 else [neg[0], (rng.choice(NEUTRAL_BITS), "")]
    elif label == "Mixed":
        parts = [pos[0], neg[0]] if rng.random() < 0.5 else [neg[0], pos[0]]
    else:
        parts = [(b, "") for b in rng.sample(NEUTRAL_BITS, 2)]
    text = join_sentences(
        pick(rng, spec["open"]) if rng.random() < 0.6 else "",
        *(p[0] for p in parts),
        pick(rng, REVIEW_CLOSERS[label]),
    )
    good = [g for t, g in parts if g and (t, g) in spec["pos"]]
    bad = [g for t, g in parts if g and (t, g) in spec["neg"]]
    return text, label, good, bad


def sentiment_record(rng: random.Random) -> dict[str, str]:
    text, label, good, bad = review(rng)
    style = rng.randrange(3)
    if style == 0:
        instruction = pick(
            rng,
            [
                "Classify the sentiment of this review as Positive, Negative, Mixed or Neutral.",
                "What is the overall sentiment of the following customer review? Answer with one "
                "word: Positive, Negative, Mixed or Neutral.",
            ],
        )
        return {"instruction": instruction, "input": text, "output": label}
    reason = {
        "Positive": f"The reviewer praises {' and '.join(good)}." if good else "",
        "Negative": f"The reviewer complains about {' and '.join(bad)}." if bad else "",
        "Mixed": f"The reviewer likes {good[0]} but is unhappy about {bad[0]}." if good and bad else "",
        "Neutral": "The review is matter-of-fact and expresses neither clear praise nor criticism.",
    }[label]
    if style == 1:
        return {
            "instruction": "What is the sentiment of this review? Explain briefly.",
            "input": text,
            "output": join_sentences(f"{label}.", reason),
        }
    satisfied = {
        "Positive": "Yes, the customer is satisfied.",
        "Negative": "No, the customer is not satisfied.",
        "Mixed": "Partly: the customer is satisfied with some aspects but not others.",
        "Neutral": "The customer seems neither particularly satisfied nor dissatisfied.",
    }[label]
    return {
        "instruction": "Based on this review, is the customer satisfied?",
        "input": text,
        "output": join_sentences(satisfied, reason if label != "Neutral" else ""),
    }


ENTITY_PEOPLE = [
    "Laura Chen",
    "Daniel Okafor",
    "Sofia Marquez",
    "Henrik Lund",
    "Priya Raman",
    "Tomás Silva",
    "Grace Whitaker",
    "Yusuf Demir",
    "Anna Kowalski",
    "Kenji Watanabe",
    "Emily Hart",
    "Marcus Bell",
    "Leila Haddad",
    "Oliver Brandt",
    "Nadia Petrova",
    "Samuel Osei",
]
ENTITY_ORGS = [
    "Halvorsen Shipping",
    "Greenleaf Bank",
    "Meridian Health",
    "Northwind Software",
    "Atlas Logistics",
    "Bluewater Energy",
    "Crestline Foods",
    "Orion Robotics",
    "Silverline Airways",
    "Maple & Co",
]
ENTITY_CITIES = [
    "Rotterdam",
    "Nairobi",
    "Toronto",
    "Lisbon",
    "Singapore",
    "Manchester",
    "Denver",
    "Osaka",
    "Melbourne",
    "Hamburg",
    "Lyon",
    "Austin",
    "Dublin",
    "Seoul",
]
ENTITY_TEMPLATES = [
    "{p1}, chief executive of {o1}, announced on {d1} that the company will open a new office in {c1}.",
    "{o1} has appointed {p1} to lead its {c1} branch from {d1}.",
    "On {d1}, {p1} flew from {c1} to {c2} to sign a partnership agreement with {o1}.",
    "The {o1} conference in {c1} on {d1} will open with a keynote by {p1} and a panel chaired by {p2}.",
    "{p1} of {o1} said the delayed shipment would reach {c1} by {d1}.",
    "Police in {c1} thanked {p1} for handing in a wallet found outside the {o1} offices on {d1}.",
    "{o1} and {o2} signed a two-year supply agreement in {c1} on {d1}.",
    "After ten years at {o1} in {c1}, {p1} is moving to {c2} to join {o2}.",
    "The mayor of {c1}, {p1}, opened the new {o1} warehouse on {d1}.",
    "{p1} and {p2} met in {c1} on {d1} to discuss a joint research project between {o1} and {o2}.",
]


def entity_record(rng: random.Random) -> dict[str, str]:
    p1, p2 = rng.sample(ENTITY_PEOPLE, 2)
    o1, o2 = rng.sample(ENTITY_ORGS, 2)
    c1, c2 = rng.sample(ENTITY_CITIES, 2)
    day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 800))
    d1 = f"{day.day} {day:%B %Y}"
    template = rng.choice(ENTITY_TEMPLATES)
    text = template.format(p1=p1, p2=p2, o1=o1, o2=o2, c1=c1, c2=c2, d1=d1)
    found: dict[str, list[str]] = {"people": [], "organisations": [], "locations": [], "dates": []}
    for key in re.findall(r"\{(\w+)\}", template):
        value = {"p1": p1, "p2": p2, "o1": o1, "o2": o2, "c1": c1, "c2": c2, "d1": d1}[key]
        group = {"p": "people", "o": "organisations", "c": "locations", "d": "dates"}[key[0]]
        if value not in found[group]:
            found[group].append(value)
    style = rng.randrange(3)
    if style == 0:
        return {
            "instruction": "Extract all named entities (people, organisations, locations and dates) from the text "
            "and return them as JSON.",
            "input": text,
            "output": json.dumps(found, ensure_ascii=False),
        }
    if style == 1:
        return {
            "instruction": "List the people and organisations mentioned in the following text.",
            "input": text,
            "output": f"People: {', '.join(found['people'])}\nOrganisations: {', '.join(found['organisations'])}",
        }
    return {
        "instruction": "Which places are mentioned in this sentence?",
        "input": text,
        "output": " and ".join(found["locations"]) + ".",
    }


HEADLINES: dict[str, list[str]] = {
    "Business": [
        "{co} shares jump {n}% after strong quarterly results",
        "{co} to cut {k} jobs as sales slow",
        "{co} agrees takeover of rival {co2}",
        "Retail sales rise for a third month in a row",
        "{co} reports record profits despite higher costs",
    ],
    "Sports": [
        "{team} beat {team2} {s1}-{s2} to reach the cup final",
        "{player} signs new three-year deal with {team}",
        "{team} part ways with manager after five straight defeats",
        "{player} wins city marathon in record time",
    ],
    "Technology": [
        "{tco} unveils foldable phone with two-day battery",
        "Messaging app update lets users edit sent messages",
        "{tco} opens new chip factory creating {k} jobs",
        "Security flaw found in popular home routers",
    ],
    "Health": [
        "Study links daily walking to lower risk of heart disease",
        "Hospital waiting lists fall for the first time in {n} years",
        "Doctors warn of rise in flu cases this winter",
        "New guidance recommends less screen time for under-fives",
    ],
    "Science": [
        "Astronomers detect water vapour on distant exoplanet",
        "Fossil of {n}-million-year-old fish found in quarry",
        "Scientists map every neuron in a fruit fly's brain",
        "Deep-sea expedition finds dozens of new species",
    ],
    "Entertainment": [
        "'{film}' tops the box office for a second weekend",
        "{singer} announces world tour",
        "Streaming drama '{show}' renewed for a third season",
        "Bestselling novelist {author} to direct first film",
    ],
}


def headline_record(rng: random.Random) -> dict[str, str]:
    topic = rng.choice(list(HEADLINES))
    co, co2 = rng.sample(
        [
            "Arlo Motors",
            "Pinecrest Foods",
            "Veridian Energy",
            "Cobalt Mobile",
            "Halden Bank",
            "Lumio",
            "Skyline Air",
            "Fernway Retail",
        ],
        2,
    )
    team, team2 = rng.sample(
        ["Harbour City FC", "Eastvale United", "Redbridge Rovers", "Kingsport Athletic", "Millbrook Town"], 2
    )
    text = rng.choice(HEADLINES[topic]).format(
        co=co,
        co2=co2,
        tco=rng.choice(["Cobalt Mobile", "Lumio", "Nexa Devices", "Quantic Labs"]),
        team=team,
        team2=team2,
        n=rng.choice([4, 7, 12, 18, 23]),
        k=rng.choice([300, 850, 1200, 2000]),
        s1=rng.randint(2, 4),
        s2=rng.randint(0, 1),
        player=rng.choice(["Kofi Mensah", "Lena Fischer", "Diego Ruiz"]),
        film=rng.choice(["The Long Tide", "Paper Lanterns", "Midnight Orchard"]),
        singer=rng.choice(["Ava Lind", "The Copper Foxes", "Jonah Reyes"]),
        show=rng.choice(["Northern Lights", "The Ledger", "Glasshouse"]),
        author=rng.choice(["Maren Holt", "Idris Kane"]),
    )
    instruction = pick(
        rng,
        [
            "Classify this news headline into one of these categories: Business, Sports, Technology, "
            "Health, Science, Entertainment.",
            "Which section of a newspaper would this headline "
            "appear in? Choose from Business, Sports, Technology, Health, Science or Entertainment.",
        ],
    )
    return {"instruction": instruction, "input": text, "output": topic}


SUMMARY_INSTRUCTIONS = [
    "Summarise the following text in one or two sentences.",
    "Write a brief summary of this article.",
    "What is the main point of this passage? Answer in two sentences or fewer.",
    "Give me a short summary of the text below.",
]
SHORT_INSTRUCTIONS: list[dict[str, str]] = [
    {
        "instruction": "Summarize.",
        "input": "The town's farmers' market will move from the car park to the high street "
        "from May, so it can grow from 20 to 45 stalls. The street will be closed to traffic on Saturday mornings "
        "between 7 am and 2 pm.",
        "output": "From May the farmers' market moves to the high street, growing to 45 "
        "stalls, with the street closed to traffic on Saturday mornings.",
    },
    {
        "instruction": "Fix grammar.",
        "input": "Me and him goes to the gym every mornings.",
        "output": "He and I go to the gym every morning.",
    },
    {"instruction": "Translate.", "input": "Gracias por todo.", "output": "Thank you for everything."},
    {"instruction": "Sentiment?", "input": "Worst purchase I've made all year.", "output": "Negative"},
    {
        "instruction": "Explain recursion.",
        "input": "",
        "output": "Recursion is when a function solves a problem by "
        "calling itself on a smaller version of the same problem, until it reaches a simple base case it can answer "
        "directly. For example, the factorial of n is n times the factorial of n - 1, and the factorial of 1 is 1.",
    },
    {"instruction": "Capital of Peru?", "input": "", "output": "Lima."},
]
NON_ENGLISH_ALPACA: list[dict[str, str]] = [
    {
        "instruction": "Resume el siguiente texto en una frase.",
        "input": "El ayuntamiento ha anunciado que la piscina "
        "municipal abrirá este verano de 9:00 a 21:00 todos los días. La entrada costará 3 euros para adultos y será "
        "gratuita para menores de 12 años.",
        "output": "La piscina municipal abrirá este verano todos los días de 9:00 a "
        "21:00, con entrada de 3 euros para adultos y gratuita para menores de 12 años.",
    },
    {
        "instruction": "Schreibe eine kurze, höfliche E-Mail, in der du einen Termin absagst.",
        "input": "",
        "output": "Sehr geehrte Frau Becker,\n\nleider muss ich unseren Termin am Donnerstag absagen, da mir kurzfristig "
        "etwas dazwischengekommen ist. Könnten wir einen neuen Termin in der nächsten Woche vereinbaren?\n\nMit "
        "freundlichen Grüßen\nJonas Weber",
    },
    {
        "instruction": "Donne trois conseils pour mieux dormir.",
        "input": "",
        "output": "1. Se coucher et se lever à "
        "heures fixes, même le week-end.\n2. Éviter les écrans pendant l'heure qui précède le coucher.\n3. Garder la "
        "chambre fraîche, sombre et calme.",
    },
    {
        "instruction": "Classifique o sentimento desta avaliação.",
        "input": "O produto chegou rápido e funciona perfeitamente. Recomendo!",
        "output": "Positivo",
    },
]


def sql_answer(sql: str, note: str) -> str:
    return f"```sql\n{sql}\n```" + (f"\n\n{note}" if note else "")


def build_alpaca(rng: random.Random) -> tuple[list[dict[str, str]], Counter[str]]:
    defects: Counter[str] = Counter()
    gate = DiversityGate([0.6, 0.75])
    records: list[dict[str, str]] = []

    def add(bucket: str, rec: dict[str, str]) -> bool:
        if gate.admit(bucket, " ".join(rec.values()), rec["instruction"] + " " + rec["input"]):
            records.append(rec)
            return True
        return False

    def fill_bucket(bucket: str, target: int, make: Callable[[], dict[str, str]]) -> None:
        made = attempts = 0
        while made < target:
            attempts += 1
            if attempts > target * 100:
                raise RuntimeError(f"alpaca pool {bucket} too small")
            made += add(bucket, make())

    for _title, passage, summary in PASSAGES:
        add("summary", {"instruction": pick(rng, SUMMARY_INSTRUCTIONS), "input": passage, "output": summary})
    for informal, formal in FORMAL_REWRITES:
        add("formal", {"instruction": pick(rng, FORMAL_INSTRUCTIONS), "input": informal, "output": formal})
    for lang, english, translated in TRANSLATIONS:
        instruction = pick(
            rng,
            [
                f"Translate into {lang}: {english}",
                f'How do you say "{english}" in {lang}?',
                f"Translate this sentence into {lang}: {english}",
            ],
        )
        add("translation", {"instruction": instruction, "input": "", "output": translated})
    for instruction, output in GENERAL_TASKS:
        add("general", {"instruction": instruction, "input": "", "output": output})
    for i, (tables, question, sql, note) in enumerate(SQL_TASKS):
        if i % 3 == 0:
            rec = {
                "instruction": f"Write a SQL query to {question}.",
                "input": schema_text(tables),
                "output": sql_answer(sql, note),
            }
        else:
            rec = {
                "instruction": f"Using the table{'s' if len(tables) > 1 else ''} {schema_text(tables).replace(chr(10), ' and ')}, "
                f"write a SQL query to {question}.",
                "input": "",
                "output": sql_answer(sql, note),
            }
        add("sql", rec)
    for task in CODE_TASKS:
        code, explain = task["impls"][0]
        add(
            "code",
            {"instruction": task["asks"][0], "input": "", "output": f"```python\n{code}\n```\n\n{explain}"},
        )

    def make_math() -> dict[str, str]:
        template = rng.choice(MATH_TEMPLATES)
        problem = template(rng)
        return {
            "instruction": pick(rng, MATH_INSTRUCTIONS) + problem["problem"],
            "input": "",
            "output": problem["solution"],
        }

    def make_conversion() -> dict[str, str]:
        instruction, output = conversion(rng)
        return {"instruction": instruction, "input": "", "output": output}

    def inline(rec: dict[str, str]) -> dict[str, str]:
        if rng.random() < 0.3:
            return {
                "instruction": f"{rec['instruction']}\n\n{rec['input']}",
                "input": "",
                "output": rec["output"],
            }
        return rec

    fill_bucket("math", 116, make_math)
    fill_bucket("conversion", 40, make_conversion)
    fill_bucket("sentiment", 130, lambda: inline(sentiment_record(rng)))
    fill_bucket("entities", 75, lambda: inline(entity_record(rng)))
    fill_bucket("headline", 40, lambda: headline_record(rng))
    assert len(records) == 570, len(records)

    rng.shuffle(records)
    for rec in records:
        rec["_kind"] = "ordinary"
    for rec in records[:12]:
        rec["output"], rec["_kind"] = "", "missing_output"
        defects["missing_output"] += 1
    clean = records[12:]
    sources = rng.sample(clean, 20)
    extra: list[dict[str, str]] = []
    for src in sources[:12]:
        extra.append(dict(src, _kind="exact_duplicate"))
        defects["exact_duplicate"] += 1
    for i, src in enumerate(sources[12:]):
        rec = dict(src, _kind="near_duplicate")
        swaps = [
            ("Classify", "Categorise"),
            ("Write a", "Create a"),
            ("brief", "short"),
            ("following", "below"),
            ("Summarise", "Summarize"),
            ("What is", "What's"),
            ("Convert", "Change"),
            ("Rewrite", "Reword"),
            ("Extract", "Pull out"),
            ("List", "Name"),
            ("Answer", "Respond to"),
            ("Explain", "Describe"),
            ("Give", "Provide"),
            ("text", "passage"),
            ("How do", "How can"),
        ]
        usable = [(a, b) for a, b in swaps if re.search(rf"\b{a}\b", rec["instruction"])]
        if usable and i % 4 != 3:
            old_word, new_word = rng.choice(usable)
            rec["instruction"] = re.sub(rf"\b{old_word}\b", new_word, rec["instruction"], count=1)
        else:
            rec["instruction"] = rec["instruction"][0].lower() + rec["instruction"][1:].replace(".", "", 1)
        assert rec["instruction"] != src["instruction"]
        extra.append(rec)
        defects["near_duplicate"] += 1
    for rec in SHORT_INSTRUCTIONS:
        extra.append(dict(rec, _kind="short_instruction"))
        defects["short_instruction"] += 1
    for rec in NON_ENGLISH_ALPACA:
        extra.append(dict(rec, _kind="non_english"))
        defects["non_english"] += 1
    records += extra
    rng.shuffle(records)
    assert len(records) == 600, len(records)
    return records, defects


SHAREGPT_SYSTEMS = [
    "You are a helpful assistant.",
    "You are a patient maths tutor. Show your working step by step.",
    "You are a data analyst who writes clear, correct SQL.",
    "You are a writing assistant who helps people sound professional.",
]


def build_sharegpt(rng: random.Random, gate: DiversityGate) -> list[dict[str, Any]]:
    convs: list[list[tuple[str, str]]] = []  # (from, value)

    def with_system(turns: list[tuple[str, str]], system: str, p: float) -> list[tuple[str, str]]:
        return ([("system", system)] if rng.random() < p else []) + turns

    groups: dict[str, list[int]] = {}
    for i, (tables, *_rest) in enumerate(SQL_TASKS):
        groups.setdefault(tables[-1] if tables[0] == "customers" else tables[0], []).append(i)
    made = 0
    while made < 55:
        key = rng.choice(list(groups))
        picks = rng.sample(groups[key], min(len(groups[key]), rng.choice([1, 2, 2, 3])))
        tables = sorted({t for i in picks for t in SQL_TASKS[i][0]})
        first = SQL_TASKS[picks[0]]
        opener = pick(rng, ["I have these tables:", "Here's my schema:", "Working with this database:"])
        turns = [
            ("human", f"{opener}\n\n{schema_text(tables)}\n\nHow do I {first[1]}?"),
            ("gpt", sql_answer(first[2], first[3])),
        ]
        for i in picks[1:]:
            follow = pick(
                rng,
                [
                    "Thanks! Using the same tables, how would I {q}?",
                    "Great. Next, I need to {q}.",
                    "That works. Can you also show me how to {q}?",
                ],
            )
            turns += [
                ("human", follow.format(q=SQL_TASKS[i][1])),
                ("gpt", sql_answer(SQL_TASKS[i][2], SQL_TASKS[i][3])),
            ]
        text = "\n".join(v for _, v in turns)
        if gate.admit("sharegpt:sql", text, turns[0][1]):
            convs.append(with_system(turns, SHAREGPT_SYSTEMS[2], 0.1))
            made += 1
    made = 0
    while made < 50:
        problem = rng.choice(MATH_TEMPLATES)(rng)
        turns = [
            (
                "human",
                pick(rng, ["", "Can you help me with this homework question? ", "Stuck on this one: "])
                + problem["problem"],
            ),
            ("gpt", problem["solution"]),
            ("human", problem["whatif_q"]),
            ("gpt", problem["whatif_a"]),
        ]
        if rng.random() < 0.3:
            turns += [
                ("human", pick(rng, ["Thanks, that makes sense!", "Got it, thank you.", "Perfect, thanks."])),
                (
                    "gpt",
                    pick(
                        rng,
                        [
                            "You're welcome! Good luck with the rest of your homework.",
                            "Glad it helped. Feel free to send the next one.",
                            "Any time!",
                        ],
                    ),
                ),
            ]
        if gate.admit("sharegpt:math", "\n".join(v for _, v in turns), turns[0][1]):
            convs.append(with_system(turns, SHAREGPT_SYSTEMS[1], 0.1))
            made += 1
    made = 0
    while made < 35:
        pairs = rng.sample(FORMAL_REWRITES, rng.choice([1, 2, 3]))
        turns = [
            (
                "human",
                f"{pick(rng, ['Can you make this sound more professional?', 'Rewrite this formally, please:', 'How would I say this in a work email?'])}\n\n{pairs[0][0]}",
            ),
            ("gpt", pairs[0][1]),
        ]
        for informal, formal in pairs[1:]:
            turns += [
                (
                    "human",
                    f"{pick(rng, ['And this one:', 'Great. Now this:', 'Thanks! One more:'])}\n\n{informal}",
                ),
                ("gpt", formal),
            ]
        if gate.admit("sharegpt:formal", "\n".join(v for _, v in turns), turns[0][1]):
            convs.append(with_system(turns, SHAREGPT_SYSTEMS[3], 0.1))
            made += 1
    for title, passage, summary in PASSAGES:
        turns = [
            ("human", f"{pick(rng, SUMMARY_INSTRUCTIONS)}\n\n{passage}"),
            ("gpt", summary),
            ("human", pick(rng, ["Can you suggest a headline for it?", "What would be a good title?"])),
            ("gpt", title),
        ]
        convs.append(with_system(turns, SHAREGPT_SYSTEMS[0], 0.05))
    for _bucket, messages in generate_conversations(rng, gate, n_it=20, n_debug=10, n_code=10):
        role = {"system": "system", "user": "human", "assistant": "gpt"}
        if messages[0]["role"] == "system" and rng.random() < 0.6:
            messages = messages[1:]
        convs.append([(role[m["role"]], m["content"]) for m in messages])
    rng.shuffle(convs)
    assert len(convs) == 200, len(convs)
    return [{"conversations": [{"from": who, "value": value} for who, value in turns]} for turns in convs]


# --------------------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------------------

SUPPORT_DEFECT_NOTES = {
    "missing_reply": "empty `support_reply`",
    "missing_message": "empty `customer_message`",
    "exact_duplicate": "identical copy of another row (the first 20 also repeat its `ticket_id`; the other 10 have a "
    "new one, as if logged twice)",
    "near_duplicate": "copy of another row with a word or two changed or the punctuation altered",
    "short_input": 'customer message under 10 tokens ("refund?", "help")',
    "long_reply": "reply over 1,000 tokens (5,000+ characters): a pasted policy, retention schedule or log",
    "length_ratio": "long customer message with a one-line reply (input/output over 10:1)",
    "mojibake": 'UTF-8 text decoded as Windows-1252 ("donâ€™t", "cafÃ©") in the message or the reply',
    "control_chars": "ANSI escape sequences (`\\x1b[...`), a bell (`\\x07`) or a stray carriage return",
    "pii": "email address, phone number, card number (4111 1111 1111 1111, 5500 0000 0000 0004), street address, "
    "date of birth or social security number",
    "secret": "an AWS access key ID (`AKIA...`) or an `sk-...` API key pasted into the message",
    "non_english": "Spanish, German or French message and reply (4 each)",
}
CHAT_DEFECT_NOTES = {
    "empty_assistant_turn": "one assistant message has empty `content`",
    "exact_duplicate": "identical copy of another conversation",
    "near_duplicate": "copy with the first user message's punctuation or case changed, or one word of the last "
    "reply changed",
    "long_assistant_turn": "a single assistant turn of more than 2,000 tokens (a complete workstation setup guide)",
    "mojibake": 'one assistant turn with Windows-1252 mojibake ("Donâ€™t", "letâ€™s")',
    "pii_email": "one user message containing an email address",
}
ALPACA_DEFECT_NOTES = {
    "missing_output": "empty `output`",
    "exact_duplicate": "identical copy of another record",
    "near_duplicate": 'copy with one instruction word swapped for a synonym ("brief" to "short"), or with the '
    "instruction's capitalisation and punctuation changed",
    "short_instruction": 'instruction of one to three words ("Summarize.", "Sentiment?")',
    "non_english": "instruction and output in Spanish, German, French or Portuguese",
}


def defect_table(defects: Counter[str], notes: dict[str, str]) -> str:
    rows = ["| Defect | Rows | What it looks like |", "|---|---:|---|"]
    rows += [f"| `{key}` | {defects[key]} | {note} |" for key, note in notes.items()]
    return "\n".join(rows)


def write_readme(path: Path, counts: dict[str, int], defects: dict[str, Counter[str]]) -> None:
    text = f"""# Example datasets

Small, realistic datasets for trying VibeFlow's **Data** step: import, format detection and the quality report.
Everything here is generated by [`make_examples.py`](make_examples.py) (standard library only, fixed seed
`{SEED}`), so the files and this README can be rebuilt byte for byte:

```bash
python examples/make_examples.py
```

All people, companies, order numbers, keys and addresses are fictional. Three files contain **planted defects** so
the quality report has something to find; `sharegpt.json` is deliberately clean, as a baseline that should score
well.

| File | Format | Records | Content |
|---|---|---:|---|
| `support.csv` | CSV with a header | {counts["support"]} | Customer-support tickets for "Tidewell", a home-office hardware shop that also sells a work-management SaaS |
| `chat.jsonl` | OpenAI chat (`messages`) | {counts["chat"]} | IT helpdesk and coding-assistant conversations, 1-4 user/assistant exchanges, some with a system prompt |
| `alpaca.json` | Alpaca (`instruction`/`input`/`output`) | {counts["alpaca"]} | General tasks: summaries, sentiment, formal rewrites, entity extraction, translation, maths, SQL, Python |
| `sharegpt.json` | ShareGPT (`conversations`, `from`/`value`) | {counts["sharegpt"]} | Multi-turn SQL help, maths tutoring, formal rewriting, summaries, IT and coding chats |

## support.csv

Columns: `customer_message`, `support_reply`, `category`, `ticket_id`. The first two are the training pair; the
importer should list `category` and `ticket_id` as ignored columns. Replies contain commas, quotes and embedded
newlines (email-style replies with sign-offs, numbered steps), so several fields are quoted across lines.

Ordinary tickets are composed from per-category phrase pools (19 categories, tone, channel, product, order, plan,
dates), and the generator rejects any ticket whose word 3-gram Jaccard similarity with an earlier ticket in the same
category exceeds 0.4 (0.55 for the message alone, 0.75 for the reply alone), so near-duplicate detection should only
fire on the planted rows.

{defect_table(defects["support"], SUPPORT_DEFECT_NOTES)}

## chat.jsonl

One JSON object per line, every line valid JSON. {counts["chat_system"]} of the conversations start with a system prompt. The
coding answers are real: every Python snippet in the code-writing conversations is executed against its tests when
the generator runs.

{defect_table(defects["chat"], CHAT_DEFECT_NOTES)}

## alpaca.json

A JSON array; `input` is empty for about half of the records. Maths answers are computed, every SQL query is
executed against its schema in SQLite, and every Python snippet runs against tests when the generator runs. The
{len(TRANSLATIONS)} translation records have a Spanish, French or German **output** by design; they are not among the
planted non-English rows below, whose instruction is also non-English.

{defect_table(defects["alpaca"], ALPACA_DEFECT_NOTES)}

## sharegpt.json

A JSON array of `{{"conversations": [{{"from": "human" | "gpt" | "system", "value": ...}}]}}`; {counts["sharegpt_system"]}
conversations open with a `system` turn. No defects are planted here, and no two conversations have a word 3-gram
Jaccard similarity above about 0.6.
"""
    path.write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    n_code = check_code_tasks()
    n_sql = check_sql_tasks()
    support, support_defects = build_support(random.Random(SEED))
    chat_gate = DiversityGate([0.6, 0.75])
    chat, chat_defects = build_chat(random.Random(SEED + 1), chat_gate)
    alpaca, alpaca_defects = build_alpaca(random.Random(SEED + 2))
    sharegpt = build_sharegpt(random.Random(SEED + 3), chat_gate)

    with (HERE / "support.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["customer_message", "support_reply", "category", "ticket_id"])
        for row in support:
            writer.writerow(
                [row["customer_message"], row["support_reply"], row["category"], row["ticket_id"]]
            )
    with (HERE / "chat.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for rec in chat:
            fh.write(json.dumps({"messages": rec["messages"]}, ensure_ascii=False) + "\n")
    alpaca_public = [{k: v for k, v in rec.items() if not k.startswith("_")} for rec in alpaca]
    (HERE / "alpaca.json").write_text(
        json.dumps(alpaca_public, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n"
    )
    (HERE / "sharegpt.json").write_text(
        json.dumps(sharegpt, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n"
    )
    counts = {"support": len(support), "chat": len(chat), "alpaca": len(alpaca), "sharegpt": len(sharegpt)}
    counts["chat_system"] = sum(1 for rec in chat if rec["messages"][0]["role"] == "system")
    counts["sharegpt_system"] = sum(1 for c in sharegpt if c["conversations"][0]["from"] == "system")
    defects = {"support": support_defects, "chat": chat_defects, "alpaca": alpaca_defects}
    write_readme(HERE / "README.md", counts, defects)

    print(f"verified {n_code} Python implementations and {n_sql} SQL queries")
    for name in ("support", "chat", "alpaca", "sharegpt"):
        print(f"{name}: {counts[name]} records")
        for key, value in sorted(defects.get(name, Counter()).items()):
            print(f"  {key:<22} {value}")
    total = sum(
        (HERE / f).stat().st_size for f in ("support.csv", "chat.jsonl", "alpaca.json", "sharegpt.json")
    )
    print(f"total size: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
