# Laporan, antrean moderasi, penyembunyian, penangguhan, dan pemblokiran.

## Melapor (/report)
report-title = Laporkan
report-what-article = Anda melaporkan artikel “{ $title }” oleh { $author }.
report-what-comment = Anda melaporkan komentar oleh { $author } pada “{ $title }”:
report-why = Mengapa Anda melaporkannya?
report-reason-spam = Spam atau iklan
report-reason-abuse = Pelecehan, kebencian, atau ancaman
report-reason-sexual = Konten seksual
report-reason-violence = Kekerasan atau sesuatu yang melanggar hukum
report-reason-other = Hal lain
report-note = Hal yang perlu diketahui moderator (opsional)
report-note-hint = Maksimal { $max } karakter. Hanya moderator yang membacanya.
report-submit = Kirim laporan
report-received = Terima kasih. Laporan Anda sudah diterima, dan moderator akan memeriksanya.
report-already = Anda sudah melaporkan ini. Terima kasih; moderator sudah menerimanya.
report-own = Anda tidak dapat melaporkan tulisan sendiri; Anda dapat menyunting atau menghapusnya.
report-gone = Tidak ada lagi yang dapat dilaporkan di sini.
report-failed = Laporan Anda tidak dapat dikirim saat ini; silakan coba lagi.
report-sign-in = Masuk untuk melaporkan ini
report-sign-in-first = Masuk untuk melaporkan ini.
report-back = Kembali ke artikel
article-report = Laporkan artikel ini

## Komentar
comments-hidden = Disembunyikan
comments-hide = Sembunyikan
comments-restore = Tampilkan lagi
comments-report = Laporkan
comments-blocked = Penulis artikel ini tidak menerima komentar dari Anda.

## Batas
editor-withheld = Moderator telah menyembunyikan artikel ini: tidak ada orang lain yang dapat membacanya. Anda masih dapat menyuntingnya atau menghapusnya.
editor-too-many = Anda sudah memulai banyak artikel dalam satu jam ini. Silakan tunggu { $shown } menit lalu simpan; tulisan Anda masih ada di sini.

## Pemblokiran
block-button = Blokir { $username }
block-undo = Buka blokir { $username }
follow-blocked = Penulis ini memblokir Anda.
blocked-title = Akun yang diblokir
blocked-intro = Orang yang Anda blokir tidak dapat mengikuti Anda atau mengomentari artikel Anda, dan Anda tidak lagi melihat komentar mereka.
blocked-manage = Lihat dan batalkan blokir Anda
blocked-none = Anda belum memblokir siapa pun.
blocked-since = Diblokir pada { $date }
blocked-back = ← Pengaturan

## Antrean moderasi (/moderation)
moderation-title = Moderasi
moderation-find-account = Cari akun
moderation-find = Cari
moderation-sign-in = Masuk sebagai moderator
moderation-open = { $shown } hal yang dilaporkan sedang menunggu.
moderation-empty = Tidak ada yang menunggu. Laporan akan muncul di sini.
moderation-article = Artikel “{ $title }”
moderation-comment-on = Komentar pada “{ $title }”
moderation-open-article = Buka artikelnya
moderation-by = oleh
moderation-suspended = ditangguhkan
moderation-hidden = disembunyikan
moderation-reports = { $shown } laporan
moderation-action = Tindakan
moderation-hide-article = Sembunyikan artikel
moderation-hide-comment = Sembunyikan komentar
moderation-dismiss = Abaikan laporannya
moderation-suspend-author = Tangguhkan { $author }
moderation-apply = Terapkan
moderation-reason = Alasan
moderation-reason-hint = Dicatat bersama tindakannya, untuk moderator lain.
moderation-history = Riwayat
moderation-no-history = Belum ada tindakan terhadap akun ini.
moderation-command-line = warta admin
moderation-not-allowed = Anda tidak boleh melakukan itu.
moderation-gone = Itu sudah tidak ada.
moderation-failed = Itu tidak berhasil saat ini; silakan coba lagi.

## Satu akun (/moderation/account)
moderation-account-title = Akun
moderation-back = ← Moderasi
moderation-account-active = Aktif
moderation-account-suspended = Ditangguhkan pada { $date }
moderation-joined = bergabung { $date }
moderation-suspend = Tangguhkan akun
moderation-unsuspend = Pulihkan akun
moderation-grant-moderator = Jadikan moderator
moderation-revoke-moderator = Cabut peran moderator
moderation-hidden-writing = Tulisan yang disembunyikan
moderation-nothing-hidden = Tidak ada tulisannya yang disembunyikan.
moderation-hidden-article = Sebuah artikel, disembunyikan pada { $date }
moderation-hidden-comment = Sebuah komentar, disembunyikan pada { $date }
moderation-restore = Pulihkan
role-reader = pembaca
role-moderator = moderator
role-admin = admin

## Nama setiap tindakan di riwayat
action-hide-article = menyembunyikan artikel
action-restore-article = memulihkan artikel
action-hide-comment = menyembunyikan komentar
action-restore-comment = memulihkan komentar
action-delete-comment = menghapus komentar
action-suspend = menangguhkan akun
action-unsuspend = memulihkan akun
action-dismiss = mengabaikan laporan
action-grant-moderator = menjadikannya moderator
action-revoke-moderator = mencabut peran moderator
action-grant-admin = menjadikannya admin
