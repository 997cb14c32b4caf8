"""Welsh translations of the interface, written into the cy catalogue.

Run after `redress makemessages -l cy` (from src/redress): fills every msgstr this table knows.
Needs polib (`pip install polib`); it is a maintainer's tool, not a runtime dependency.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

CY = {
    "Caseworker": "Gweithiwr achos",
    "Investigator": "Ymchwilydd",
    "Decision-maker": "Gwneuthurwr penderfyniadau",
    "Appeals panel": "Panel apeliadau",
    "Support adviser": "Cynghorydd cymorth",
    "Escrow counsellor": "Cwnsler escrow",
    "Vetting officer": "Swyddog fetio",
    "Oversight": "Goruchwyliaeth",
    "Administrator": "Gweinyddwr",
    "name": "enw",
    "Member": "Aelod",
    "Staff": "Staff",
    "role": "rôl",
    "English": "English",
    "Cymraeg": "Cymraeg",
    "Username": "Enw defnyddiwr",
    "Enter your username": "Rhowch eich enw defnyddiwr",
    "Password": "Cyfrinair",
    "Enter your password": "Rhowch eich cyfrinair",
    "Security code": "Cod diogelwch",
    "Enter the 6-digit code from your authenticator app": "Rhowch y cod 6 digid o'ch ap dilysu",
    "The code must be 6 digits, like 123456": "Rhaid i'r cod fod yn 6 digid, fel 123456",
    "Too many failed attempts. For your security, sign-in is paused. Try again in %(minutes)d minutes.": "Gormod o ymdrechion aflwyddiannus. Er eich diogelwch, mae mewngofnodi wedi'i oedi. Rhowch gynnig arall arni ymhen %(minutes)d munud.",
    "The username or password is not right": "Nid yw'r enw defnyddiwr neu'r cyfrinair yn gywir",
    "The code is not right. Check your authenticator app and try again": "Nid yw'r cod yn gywir. Gwiriwch eich ap dilysu a rhowch gynnig arall arni",
    "Error:": "Gwall:",
    "Skip to main content": "Neidio i'r prif gynnwys",
    "Beta": "Beta",
    "This is a new service. Your feedback helps us improve it.": "Mae hwn yn wasanaeth newydd. Bydd eich adborth yn ein helpu i'w wella.",
    "Success": "Llwyddiant",
    "Important": "Pwysig",
    "Support links": "Dolenni cymorth",
    "Accessibility statement": "Datganiad hygyrchedd",
    "Privacy notice": "Hysbysiad preifatrwydd",
    "Staff sign in": "Mewngofnodi staff",
    "%(service_name)s is run independently of every party and office covered by %(scheme_name)s.": "Mae %(service_name)s yn cael ei redeg yn annibynnol ar bob plaid a swyddfa a gwmpesir gan %(scheme_name)s.",
    "There is a problem with your request": "Mae problem gyda'ch cais",
    "Check what you entered and try again.": "Gwiriwch yr hyn a roesoch a rhowch gynnig arall arni.",
    "Go to the start page": "Mynd i'r dudalen gychwyn",
    "You do not have permission to see this page": "Nid oes gennych ganiatâd i weld y dudalen hon",
    "If you think you should, contact the scheme's administrator.": "Os ydych chi'n credu y dylech chi, cysylltwch â gweinyddwr y cynllun.",
    "Page not found": "Heb ddod o hyd i'r dudalen",
    "If you typed the web address, check it is correct.": "Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir.",
    "Sorry, there is a problem with the service": "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
    "Try again later. Nothing you had already submitted has been lost.": "Rhowch gynnig arall arni yn nes ymlaen. Nid oes dim a gyflwynwyd gennych eisoes wedi'i golli.",
    "This form has expired": "Mae'r ffurflen hon wedi dod i ben",
    "For your security, forms expire. Go back, reload the page and try again. Your answers have not been sent.": "Er eich diogelwch, mae ffurflenni'n dod i ben. Ewch yn ôl, ail-lwythwch y dudalen a rhowch gynnig arall arni. Nid yw eich atebion wedi'u hanfon.",
    "There is a problem": "Mae problem",
    "Loading.": "Yn llwytho.",
    "Exit this page expired.": "Mae 'Gadael y dudalen hon' wedi dod i ben.",
    "Shift, press 2 more times to exit.": "Shift, pwyswch 2 waith eto i adael.",
    "Shift, press 1 more time to exit.": "Shift, pwyswch 1 waith eto i adael.",
    "Emergency": "Argyfwng",
    "Exit this page": "Gadael y dudalen hon",
    "Language": "Iaith",
    "%(service_name)s is built so that as many people as possible can use it. You should be able to:": "Mae %(service_name)s wedi'i adeiladu fel y gall cymaint o bobl â phosibl ei ddefnyddio. Dylech allu:",
    "change colours, contrast levels and fonts using your browser or device settings": "newid lliwiau, lefelau cyferbyniad a ffontiau gan ddefnyddio gosodiadau eich porwr neu'ch dyfais",
    "zoom in up to 400%% without the text spilling off the screen": "chwyddo hyd at 400%% heb i'r testun ddisgyn oddi ar y sgrin",
    "navigate the whole service using just a keyboard or speech recognition software": "llywio'r gwasanaeth cyfan gan ddefnyddio bysellfwrdd neu feddalwedd adnabod lleferydd yn unig",
    "use the service with a screen reader": "defnyddio'r gwasanaeth gyda darllenydd sgrin",
    "use every page for complainants with JavaScript switched off": "defnyddio pob tudalen i achwynwyr gyda JavaScript wedi'i ddiffodd",
    "use the service in English or Welsh": "defnyddio'r gwasanaeth yn Saesneg neu yn Gymraeg",
    "Compliance status": "Statws cydymffurfio",
    "This service aims to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA. Every page is checked automatically with axe-core before each release.": "Nod y gwasanaeth hwn yw bodloni Canllawiau Hygyrchedd Cynnwys y We (WCAG) fersiwn 2.2 ar lefel AA. Caiff pob tudalen ei gwirio'n awtomatig gydag axe-core cyn pob rhyddhad.",
    "Reporting accessibility problems": "Rhoi gwybod am broblemau hygyrchedd",
    "If you find a problem, or need information in a different format such as large print, audio or braille, tell the scheme's secretariat. We will reply within 5 working days.": "Os dewch o hyd i broblem, neu os oes angen gwybodaeth arnoch mewn fformat gwahanol fel print bras, sain neu braille, rhowch wybod i ysgrifenyddiaeth y cynllun. Byddwn yn ateb o fewn 5 diwrnod gwaith.",
    "What we keep": "Beth rydym yn ei gadw",
    "What you tell us in a report, the files you upload, the messages you exchange with the people handling it, and, if you give them, your name and contact details.": "Yr hyn rydych yn ei ddweud wrthym mewn adroddiad, y ffeiliau rydych yn eu llwytho i fyny, y negeseuon rydych yn eu cyfnewid gyda'r bobl sy'n ei drin, ac, os ydych yn eu rhoi, eich enw a'ch manylion cyswllt.",
    "What we do not keep": "Beth nad ydym yn ei gadw",
    "We never record your internet (IP) address or the browser or device you use. This site sets no tracking cookies and loads nothing from other websites.": "Nid ydym byth yn cofnodi eich cyfeiriad rhyngrwyd (IP) na'r porwr neu'r ddyfais rydych yn eu defnyddio. Nid yw'r wefan hon yn gosod cwcis tracio ac nid yw'n llwytho dim o wefannau eraill.",
    "How it is protected": "Sut mae'n cael ei ddiogelu",
    "Each case is encrypted with its own key. Administrators and oversight staff cannot read case content. Every read of case content by anyone is recorded in a tamper-evident log.": "Caiff pob achos ei amgryptio gyda'i allwedd ei hun. Ni all gweinyddwyr na staff goruchwylio ddarllen cynnwys achosion. Caiff pob darlleniad o gynnwys achos gan unrhyw un ei gofnodi mewn log sy'n dangos unrhyw ymyrraeth.",
    "How long we keep it": "Am ba hyd rydym yn ei gadw",
    "Case content is kept for the period set by the scheme's retention policy (for example, seven years after a case closes). When that period ends, the case's key is destroyed and the content can no longer be read by anyone, including from backups.": "Caiff cynnwys achos ei gadw am y cyfnod a bennir gan bolisi cadw'r cynllun (er enghraifft, saith mlynedd ar ôl i achos gau). Pan ddaw'r cyfnod hwnnw i ben, caiff allwedd yr achos ei dinistrio ac ni all neb ddarllen y cynnwys mwyach, gan gynnwys o gopïau wrth gefn.",
    "Cookies": "Cwcis",
    "We use only the cookies the service needs to work: one that protects forms against forgery, one that remembers your language, and, for staff, one that keeps them signed in.": "Dim ond y cwcis sydd eu hangen ar y gwasanaeth i weithio rydym yn eu defnyddio: un sy'n diogelu ffurflenni rhag ffugio, un sy'n cofio eich iaith, ac, i staff, un sy'n eu cadw wedi mewngofnodi.",
    "Report bullying, harassment or sexual misconduct": "Rhoi gwybod am fwlio, aflonyddu neu gamymddwyn rhywiol",
    "%(service_name)s takes complaints about anyone covered by %(scheme_name)s, however senior they are. It is independent: nobody from the party, office or line management of the person you complain about will handle your report.": "Mae %(service_name)s yn derbyn cwynion am unrhyw un a gwmpesir gan %(scheme_name)s, ni waeth pa mor uchel eu swydd. Mae'n annibynnol: ni fydd neb o blaid, swyddfa neu reolaeth linell y person rydych yn cwyno amdano yn trin eich adroddiad.",
    "You can use this service if you work for, or have dealt with, a member or a member of staff, including as a visitor, volunteer or journalist.": "Gallwch ddefnyddio'r gwasanaeth hwn os ydych yn gweithio i aelod neu aelod o staff, neu wedi delio ag un, gan gynnwys fel ymwelydd, gwirfoddolwr neu newyddiadurwr.",
    "Who will know who you are": "Pwy fydd yn gwybod pwy ydych chi",
    "You choose how much to tell us about yourself:": "Chi sy'n dewis faint i'w ddweud wrthym amdanoch eich hun:",
    "Named": "Wedi'ch enwi",
    "The people handling your complaint know who you are, and the person you complain about may be told, so that they can answer what you say.": "Mae'r bobl sy'n trin eich cwyn yn gwybod pwy ydych chi, a gall y person rydych yn cwyno amdano gael gwybod, er mwyn iddo allu ateb yr hyn rydych yn ei ddweud.",
    "Confidential": "Cyfrinachol",
    "Only the people handling your complaint know who you are. The person you complain about is never told your name unless you agree.": "Dim ond y bobl sy'n trin eich cwyn sy'n gwybod pwy ydych chi. Ni chaiff y person rydych yn cwyno amdano byth wybod eich enw oni bai eich bod yn cytuno.",
    "Anonymous": "Dienw",
    "Nobody knows who you are. You get a receipt code and use it to follow your report and talk to the people handling it. If you lose the code, it cannot be recovered.": "Does neb yn gwybod pwy ydych chi. Cewch god derbynneb a'i ddefnyddio i ddilyn eich adroddiad a siarad â'r bobl sy'n ei drin. Os byddwch yn colli'r cod, ni ellir ei adfer.",
    "What happens to your report": "Beth sy'n digwydd i'ch adroddiad",
    "It is encrypted as soon as it is received. Staff who run the service cannot read it.": "Caiff ei amgryptio cyn gynted ag y caiff ei dderbyn. Ni all y staff sy'n rhedeg y gwasanaeth ei ddarllen.",
    "It will be acknowledged within 5 working days, and assessed within 15 working days.": "Caiff ei gydnabod o fewn 5 diwrnod gwaith, a'i asesu o fewn 15 diwrnod gwaith.",
    "Every step has a deadline. If a deadline is missed, it is raised with independent oversight.": "Mae dyddiad cau ar gyfer pob cam. Os caiff dyddiad cau ei fethu, caiff ei godi gyda goruchwyliaeth annibynnol.",
    "Every time someone reads your report, that is recorded in a log that cannot be changed.": "Bob tro y mae rhywun yn darllen eich adroddiad, caiff hynny ei gofnodi mewn log na ellir ei newid.",
    "We do not record your internet address or which device you use.": "Nid ydym yn cofnodi eich cyfeiriad rhyngrwyd na pha ddyfais rydych yn ei defnyddio.",
    "If you are in danger now, call 999. If you cannot speak, call 999 and then press 55 when asked.": "Os ydych mewn perygl nawr, ffoniwch 999. Os na allwch siarad, ffoniwch 999 ac yna pwyswch 55 pan ofynnir i chi.",
    "Support": "Cymorth",
    "You can ask for support from an independent adviser, whether or not you make a complaint. They only see what you choose to share with them.": "Gallwch ofyn am gymorth gan gynghorydd annibynnol, p'un a ydych yn gwneud cwyn ai peidio. Dim ond yr hyn rydych yn dewis ei rannu gyda nhw y maen nhw'n ei weld.",
    "Leaving quickly": "Gadael yn gyflym",
    "Use the “Exit this page” button at any time to go to a neutral website. With JavaScript on, you can also press the Shift key 3 times.": "Defnyddiwch y botwm “Gadael y dudalen hon” ar unrhyw adeg i fynd i wefan niwtral. Gyda JavaScript ymlaen, gallwch hefyd bwyso'r fysell Shift 3 gwaith.",
    "Staff home": "Hafan staff",
    "Signed in as %(name)s": "Wedi mewngofnodi fel %(name)s",
    "Your roles": "Eich rolau",
    "You hold no role yet. An administrator grants roles.": "Nid oes gennych rôl eto. Gweinyddwr sy'n rhoi rolau.",
    "You will be signed out after 15 minutes without activity.": "Cewch eich allgofnodi ar ôl 15 munud heb weithgarwch.",
    "Set up your authenticator app": "Gosod eich ap dilysu",
    "Staff accounts need a second factor. Scan this QR code with an authenticator app on your phone.": "Mae angen ail ffactor ar gyfrifon staff. Sganiwch y cod QR hwn gydag ap dilysu ar eich ffôn.",
    "QR code for your authenticator app": "Cod QR ar gyfer eich ap dilysu",
    "If you cannot scan it, enter this key in your app instead:": "Os na allwch ei sganio, rhowch yr allwedd hon yn eich ap yn lle hynny:",
    "Enter the 6-digit code your app now shows.": "Rhowch y cod 6 digid y mae eich ap yn ei ddangos nawr.",
    "Confirm and sign in": "Cadarnhau a mewngofnodi",
    "Sign in": "Mewngofnodi",
    "For caseworkers, investigators, decision-makers and other staff of the scheme. You will need your authenticator app.": "Ar gyfer gweithwyr achos, ymchwilwyr, gwneuthurwyr penderfyniadau a staff eraill y cynllun. Bydd angen eich ap dilysu arnoch.",
    "Continue": "Parhau",
    "If you want to report something, you do not need to sign in.": "Os ydych am roi gwybod am rywbeth, nid oes angen i chi fewngofnodi.",
    "Enter your security code": "Rhowch eich cod diogelwch",
    'Demo account: the current code is <strong class="app-code">%(demo_code)s</strong>. Real accounts never show this.': 'Cyfrif demo: y cod presennol yw <strong class="app-code">%(demo_code)s</strong>. Nid yw cyfrifon go iawn byth yn dangos hyn.',
    "Open your authenticator app and enter the 6-digit code it shows for Redress.": "Agorwch eich ap dilysu a rhowch y cod 6 digid y mae'n ei ddangos ar gyfer Redress.",
    "Service information": "Gwybodaeth am y gwasanaeth",
    "Menu": "Dewislen",
    "Home": "Hafan",
    "Sign out": "Allgofnodi",
    "Vetting checks": "Gwiriadau fetio",
    "Read case queue": "Darllen ciw achosion",
    "Move cases through their stages": "Symud achosion drwy eu camau",
    "Read published statistics": "Darllen ystadegau cyhoeddedig",
}


def main(path: str) -> int:
    po = polib.pofile(path)
    missing = []
    for entry in po:
        if entry.msgid in CY:
            entry.msgstr = CY[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "cy"
    po.metadata["Plural-Forms"] = (
        "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
    )
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(
        main(
            sys.argv[1]
            if len(sys.argv) > 1
            else str(
                Path(__file__).resolve().parents[1] / "src/redress/locale/cy/LC_MESSAGES/django.po"
            )
        )
    )
