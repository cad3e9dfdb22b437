#!/usr/bin/env python3
"""Writes Resources/Strings.resx (English) and Strings.de.resx (German) from Resources/strings*.tsv.

One table keeps both languages side by side, so a missing translation is visible in review; the test
LocalizationTests also fails when a key lacks a language.
"""
import csv, pathlib
from xml.sax.saxutils import escape

root = pathlib.Path(__file__).resolve().parent.parent / "src" / "Kastell.Server" / "Resources"
# One table per feature area keeps parallel work from colliding in one file.
rows = [row for table in sorted(root.glob("strings*.tsv"))
        for row in csv.DictReader(open(table, encoding="utf-8"), delimiter="\t")]
header = """<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
"""
for lang, name in (("en", "Strings.resx"), ("de", "Strings.de.resx")):
    seen = set()
    out = [header]
    for row in rows:
        key, value = row["key"], row[lang]
        if not value:
            raise SystemExit(f"{key} has no {lang} text")
        if key in seen:
            raise SystemExit(f"duplicate key {key}")
        seen.add(key)
        out.append(f'  <data name="{escape(key)}" xml:space="preserve"><value>{escape(value)}</value></data>\n')
    out.append("</root>\n")
    (root / name).write_text("".join(out), encoding="utf-8")
print(f"{len(rows)} strings written")
