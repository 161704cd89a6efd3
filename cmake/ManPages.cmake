# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages: docs/man/<page>.md -> <build>/man/<page> with pandoc, installed into the client or server package.
# Markdown is the one source, so the pages read well on GitHub too; tests/man/man_pages_test.sh checks that every
# option of --help, every sesamed.conf variable and every access.conf directive is documented.
option(SESAME_BUILD_MAN "Build and install the man pages (needs pandoc)" ON)
if(NOT SESAME_BUILD_MAN)
  return()
endif()

find_program(SESAME_PANDOC pandoc)
if(NOT SESAME_PANDOC)
  message(FATAL_ERROR "SESAME_BUILD_MAN is ON but pandoc was not found: install it (Debian package pandoc, "
                      "scripts/install-deps) or configure with -DSESAME_BUILD_MAN=OFF to build without man pages")
endif()

set(SESAME_MAN_DIR ${CMAKE_BINARY_DIR}/man)
# page:component. The section is the page name's last extension.
set(SESAME_MAN_PAGES sesame.1:client sesame-inspect.1:client sesame-launcher.1:client sesamed.8:server
                     sesamed.conf.5:server access.conf.5:server)

set(SESAME_MAN_OUTPUTS)
foreach(entry IN LISTS SESAME_MAN_PAGES)
  string(REPLACE ":" ";" entry "${entry}")
  list(GET entry 0 page)
  list(GET entry 1 component)
  string(REGEX REPLACE "^.*\\." "" section "${page}")
  set(source ${PROJECT_SOURCE_DIR}/docs/man/${page}.md)
  set(output ${SESAME_MAN_DIR}/${page})
  # -smart: "--option" must stay two hyphens; -tex_math_dollars: "$NAME" is a variable, not TeX.
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${SESAME_MAN_DIR}
    COMMAND ${SESAME_PANDOC} -f markdown-smart-tex_math_dollars -t man --standalone
            "--metadata=footer:sesame ${PROJECT_VERSION}" ${source} -o ${output}
    DEPENDS ${source}
    COMMENT "pandoc: man page ${page}"
    VERBATIM)
  list(APPEND SESAME_MAN_OUTPUTS ${output})
  install(FILES ${output} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
endforeach()
add_custom_target(man ALL DEPENDS ${SESAME_MAN_OUTPUTS})
