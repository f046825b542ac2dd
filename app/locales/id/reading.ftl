# The reading side: the listings, search, tags, articles, authors' pages and
# the pages around them.

## Shared by the listings

reading-loading = Memuat…
# Beside a listing's heading from its second page on.
reading-page = halaman { $page }
# A later page's title: "#rust (halaman 2)", "ada (halaman 2)".
reading-title-page = { $title } (halaman { $page })
reading-past-the-end = Tidak ada lagi tulisan setelah halaman ini.
list-empty = Belum ada yang diterbitkan.
list-views = { $shown } kali dibaca
pager-label = Halaman
# A page number's link, for screen readers.
pager-page = Halaman { $page }
pager-newer = ← Tulisan lebih baru
pager-older = Tulisan lebih lama →
tags-label = Tag
tags-popular-heading = Tag populer
# A tag's tooltip in the popular tags.
tags-stories-count = { $shown } tulisan
feed-tabs-label = Daftar tulisan
feed-tab-latest = Terbaru
feed-tab-following = Mengikuti

## The home page

home-heading = Tulisan terbaru
home-title-page = Tulisan terbaru, halaman { $page }
home-description = Tulisan terbaru yang diterbitkan di Warta.
home-past-the-end = Tidak ada halaman { $page }: tulisan berakhir di halaman { $pages }.
home-last-page = Ke halaman terakhir

## Popular

popular-heading = Populer
popular-title-week = Populer minggu ini
popular-title-month = Populer bulan ini
popular-description = Tulisan yang paling banyak dibaca di Warta.
popular-periods-label = Periode
period-all = Sepanjang masa
period-week = Minggu ini
period-month = Bulan ini

## Search

search-heading = Cari
search-title = “{ $query }”: pencarian
search-description = Cari tulisan yang diterbitkan di Warta.
search-label = Cari tulisan
search-placeholder = Kata, "frasa utuh", -tanpa
search-button = Cari
search-names = Penulis dan tag
search-authors = Penulis
search-tags = Tag
search-searching = Mencari…
search-prompt = Ketik beberapa kata untuk mencari tulisan.
search-no-results = Tidak ada yang cocok dengan “{ $query }”.
search-count-one = 1 tulisan
search-count = { $shown } tulisan, yang paling cocok lebih dulu
# The count stopped at its cap.
search-count-capped = { $shown } tulisan atau lebih, yang paling cocok lebih dulu
search-better-matches = ← Hasil yang lebih cocok
search-more-results = Hasil lainnya →

## A tag's page

tag-description = Tulisan bertag { $tag } di Warta.

## An article

# Before the author's name.
article-by = Oleh
article-updated = diperbarui { $date }
article-reading-time = { $minutes } menit baca
article-edit = Sunting
article-delete = Hapus

## An author's page, their favorites and drafts

author-description = Tulisan { $username } di Warta.
author-article-deleted = Artikel sudah dihapus.
author-lists-label = Daftar
author-tab-stories = Tulisan
author-tab-favorites = Favorit
favorites-title = Favorit { $username }
favorites-description = Tulisan yang disimpan { $username } di Warta.
favorites-empty = { $username } belum menyimpan tulisan apa pun.
drafts-heading = Draf Anda
drafts-private = Hanya Anda yang dapat melihatnya.
drafts-edited = disunting { $date }

## Following

following-title = Mengikuti
following-description = Tulisan dari penulis yang Anda ikuti.
following-empty = Belum ada apa-apa di sini. Ikuti penulis dari halaman mereka, dan tulisan baru mereka akan muncul di sini.
# A link, followed by following-sign-in-reason.
following-sign-in = Masuk
following-sign-in-reason = untuk melihat tulisan dari penulis yang Anda ikuti.

## Pages that could not be shown

not-found-title = Halaman tidak ditemukan
not-found-text = Kami tidak dapat menemukan yang Anda cari. Mungkin sudah dipindahkan atau memang tidak pernah ada.
not-found-back = Kembali ke tulisan terbaru
error-heading = Halaman ini tidak dapat dimuat.

## Unsubscribing from an author's emails

unsubscribe-title = Berhenti berlangganan
unsubscribe-question = Hentikan email dari Warta setiap kali { $author } menerbitkan tulisan?
unsubscribe-button = Berhenti berlangganan
unsubscribed-title = Langganan dihentikan
# One paragraph, in six pieces: this, unsubscribed-still-following, a link
# (unsubscribed-following-tab), unsubscribed-follow-again, a link
# (unsubscribed-their-page), unsubscribed-emails-back.
unsubscribed-no-more-emails = Anda tidak akan lagi menerima email saat { $author } menerbitkan tulisan.
unsubscribed-still-following = Anda tetap mengikutinya: tulisannya tetap muncul di tab
unsubscribed-following-tab = Mengikuti
unsubscribed-follow-again = Anda, dan mengikutinya lagi dari
unsubscribed-their-page = halamannya
unsubscribed-emails-back = akan menyalakan email ini kembali.
unsubscribe-invalid-title = Tautan tidak valid
unsubscribe-invalid-heading = Tautan ini tidak valid
unsubscribe-invalid-text = Tautan ini mungkin terpotong, atau Anda tidak lagi mengikuti penulis itu, jadi tidak ada yang perlu dihentikan.
