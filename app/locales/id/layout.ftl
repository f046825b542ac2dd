# Bingkai setiap halaman: navigasi, kaki halaman, pilihan bahasa.

skip-to-content = Langsung ke isi
site-tagline = rumah bagi tulisan yang layak dibaca.
back-to-top = Kembali ke atas
nav-main = Utama
nav-latest = Terbaru
nav-popular = Populer
nav-search = Cari
nav-write = Tulis
nav-settings = Pengaturan
nav-sign-out = Keluar
nav-sign-in = Masuk
nav-register = Daftar
theme-switch = Beralih antara terang dan gelap
theme-dark = Mode gelap
language-switch = Bahasa
language-suggestion = Halaman ini juga tersedia dalam { $language }.
articles-count = { $shown } artikel
