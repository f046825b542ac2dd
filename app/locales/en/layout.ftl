# The frame around every page: navigation, footer, language switch.

skip-to-content = Skip to content
site-tagline = a home for writing worth reading.
back-to-top = Back to top
nav-main = Main
nav-latest = Latest
nav-popular = Popular
nav-search = Search
nav-write = Write
nav-settings = Settings
nav-sign-out = Sign out
nav-sign-in = Sign in
nav-register = Register
theme-switch = Switch between light and dark
theme-dark = Dark mode
language-switch = Language
language-suggestion = This page is also in { $language }.
articles-count =
    { $count ->
        [one] { $shown } article
       *[other] { $shown } articles
    }
