# Writing: the editor, deleting an article, comments, favorites and following.

## /editor and /editor/{slug}
editor-loading = Memuat…
editor-new = Artikel baru
editor-edit = Sunting artikel
editor-description = Menulis di Warta.
editor-draft-saved = Draf disimpan. Hanya Anda yang dapat melihatnya.
editor-view-published = Lihat artikel yang sudah terbit
editor-cover-failed = Artikel Anda sudah disimpan, tetapi gambar sampulnya tidak dapat disimpan. Silakan pilih gambarnya lagi.
editor-title = Judul
editor-description-label = Deskripsi
editor-description-hint = Satu baris di bawah judul, maksimal { $max } karakter.
editor-body = Isi
editor-body-hint = Markdown, maksimal { $max } KB.
editor-tags = Tag
editor-tags-hint = Pisahkan dengan koma, maksimal { $max }; disimpan dalam huruf kecil, kata disambung tanda hubung.
editor-language = Bahasa
editor-language-hint = Bahasa yang dipakai tulisan ini: pencarian mencocokkan kata-katanya dalam bahasa itu.
editor-cover = Gambar sampul
editor-cover-current = Gambar sampul saat ini
editor-cover-remove = Hapus gambar sampul
editor-cover-replace-hint = Pilih berkas untuk menggantinya: JPEG, PNG, atau WebP, maksimal 5 MB.
editor-cover-hint = Opsional: JPEG, PNG, atau WebP, maksimal 5 MB.
editor-preview = Pratinjau
editor-save-draft = Simpan draf
editor-unpublish = Batal terbitkan (simpan sebagai draf)
editor-publish = Terbitkan
editor-update = Perbarui
editor-delete-link = Hapus artikel ini…
editor-unreadable = Formulir ini tidak dapat dibaca; silakan muat ulang halaman.
editor-article-gone = Artikel ini sudah tidak ada.
editor-not-author = Hanya penulisnya yang boleh mengubah artikel ini.
editor-signed-out = Anda sudah keluar. Masuk lagi di tab lain, lalu simpan: tulisan Anda masih ada di sini.
editor-save-failed = Artikel Anda belum dapat disimpan saat ini; tulisan Anda masih ada di sini, silakan coba lagi.
# A refused cover image (server/src/imaging.rs), beside the field.
editor-cover-not-an-image = Sampul harus berupa gambar JPEG, PNG, atau WebP
editor-cover-broken = Sampul tidak dapat dibaca: berkasnya rusak atau isinya tidak sesuai jenisnya
editor-cover-too-large = Sampul maksimal 5 MB
editor-cover-too-many-pixels = Sampul maksimal 10.000 piksel lebar dan tingginya, dan 40 megapiksel secara keseluruhan

## Someone else's article (403)
forbidden-title = Bukan artikel Anda
forbidden-description = Hanya penulis artikel yang boleh mengubahnya.
forbidden-heading = Artikel ini bukan milik Anda
forbidden-explanation = Hanya penulisnya yang dapat mengubah atau menghapus artikel.
forbidden-write-your-own = Tulis artikel Anda sendiri

## /editor/{slug}/delete
delete-title = Hapus artikel
delete-description = Hapus artikel untuk selamanya.
delete-heading = Hapus artikel ini?
delete-warning = “{ $title }” akan hilang untuk selamanya, beserta jumlah tayangan dan komentarnya. Tindakan ini tidak dapat dibatalkan.
delete-confirm = Hapus selamanya
delete-keep = Jangan hapus

## Comments under an article
comments-heading = Komentar
comments-loading = Memuat komentar…
comments-pages = Halaman komentar
comments-first = ← Komentar pertama
comments-later = Komentar berikutnya →
comments-unavailable = Komentar tidak dapat dimuat saat ini.
comments-none = Belum ada komentar.
comments-delete = Hapus komentar
comments-sign-in = Masuk untuk berkomentar
comments-label = Komentar Anda
comments-hint = Maksimal { $max } karakter.
comments-post = Kirim komentar
comments-sign-in-first = Masuk untuk berkomentar.
comments-too-many = Anda baru saja banyak berkomentar. Silakan tunggu { $shown } menit lalu kirim lagi.
comments-article-gone = Artikel ini sudah tidak diterbitkan.
comments-failed = Komentar Anda belum dapat dikirim saat ini; silakan coba lagi.

## The heart
favorites-count = { $shown } favorit
# $favorites is favorites-count.
favorite-sign-in = Masuk untuk memfavoritkan ({ $favorites })
favorite-add = Favoritkan ({ $favorites })
favorite-remove = Hapus dari favorit ({ $favorites })

## The follow button
follow-button = Ikuti { $username }
unfollow-button = Berhenti mengikuti { $username }

# The page a form too large to accept gets.
too-large-title = Terlalu besar
too-large-heading = Kiriman itu terlalu besar
too-large-limits = Warta menerima paling banyak { $kb } KB sekali kirim, isi artikel paling banyak { $article } KB, dan gambar sampul paling besar 5 MB. Tidak ada yang disimpan.
too-large-back = Kembali dengan tombol Kembali di peramban Anda: tulisan Anda masih ada di formulir. Persingkat, atau bagi menjadi dua artikel, lalu coba lagi.
too-large-home = Beranda Warta
