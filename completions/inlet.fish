# fish completion for inlet(1) and its commands.
#
# The same file is installed as inlet.fish and as inlet-NAME.fish for each
# command, so whichever name fish loads it for, "inlet COMMAND ..." and every
# inlet-COMMAND binary get their completions.  Keep the option lists in step
# with each command's --help (tests/91-completions.bats checks).

# __inlet_needs_command: true while "inlet" has no command word yet.
function __inlet_needs_command
    set -l tokens (commandline -opc)
    test (count $tokens) -eq 1
end

# __inlet_using CMD: true when the command line is "inlet CMD ...".
function __inlet_using --argument-names cmd
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = "$cmd"
end

# __inlet_add CMD COMPLETE-ARGS...: the same completion for inlet-CMD and for
# "inlet CMD".
function __inlet_add --argument-names cmd
    complete -c inlet-$cmd $argv[2..-1]
    complete -c inlet -n "__inlet_using $cmd" $argv[2..-1]
end

# inlet itself: the command name, --help and --version.
complete -c inlet -f
complete -c inlet -n __inlet_needs_command -a discover -d 'list source folders, emit batches of new files'
complete -c inlet -n __inlet_needs_command -a parse -d 'turn CSV, JSON lines or text files into JSON rows'
complete -c inlet -n __inlet_needs_command -a commit -d 'write batches into SQLite, an NDJSON folder or stdout, exactly once'
complete -c inlet -n __inlet_needs_command -a copy-into -d 'COPY INTO: load files not loaded before into a table'
complete -c inlet -n __inlet_needs_command -a ctas -d 'CREATE OR REPLACE TABLE AS SELECT from files'
complete -c inlet -n __inlet_needs_command -s h -l help -d 'show help'
complete -c inlet -n __inlet_needs_command -l version -d 'show the version'

# Files as operands for the commands that take them ("complete -c inlet -f"
# above turned them off for inlet's own arguments).
for cmd in discover parse copy-into ctas
    complete -c inlet -n "__inlet_using $cmd" -F
end
complete -c inlet-commit -f

# discover
__inlet_add discover -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'checkpoint folder (offsets/, sources/)'
__inlet_add discover -l no-checkpoint -d 'list everything once; remember nothing'
__inlet_add discover -s t -l trigger -x -a 'available-now\t"all new files in batches, then exit (default)" once\t"one batch of all new files"' -d 'how many batches to emit'
__inlet_add discover -l max-files-per-trigger -x -d 'files per batch (default 1000, 0: no limit)'
__inlet_add discover -l max-bytes-per-trigger -x -d 'soft byte limit per batch (e.g. 10g)'
__inlet_add discover -l allow-overwrites -d 'take a seen file again when its size or modification time changed'
__inlet_add discover -l pattern -x -d 'only files whose name (or path below the source) matches GLOB'
__inlet_add discover -l keep-batches -x -d 'offsets/ entries kept (default 100)'
__inlet_add discover -s q -l quiet -d 'no summary on standard error'
__inlet_add discover -s h -l help -d 'show help'
__inlet_add discover -l version -d 'show the version'

# parse
__inlet_add parse -s f -l format -x -a 'csv\t"comma-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from the extension)'
__inlet_add parse -l header -x -a 'true\t"first record names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first record names the columns (default true)'
__inlet_add parse -s d -l delimiter -x -d 'CSV field delimiter (default comma; \t for tab)'
__inlet_add parse -l quote -x -d 'CSV quote character (default ")'
__inlet_add parse -l escape -x -d 'CSV escape of a quote inside quotes (default ")'
__inlet_add parse -l null-value -x -d 'CSV text read as null'
__inlet_add parse -s m -l metadata -d 'add _metadata (file path, name, size, modification time, row)'
__inlet_add parse -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add parse -l column-name-of-corrupt-record -x -d 'column for malformed records (default _corrupt_record)'
__inlet_add parse -s q -l quiet -d 'no counts on standard error'
__inlet_add parse -s h -l help -d 'show help'
__inlet_add parse -l version -d 'show the version'

# commit
__inlet_add commit -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'checkpoint folder (commits/)'
__inlet_add commit -l db -r -F -d 'SQLite database (created when missing)'
__inlet_add commit -l table -x -d 'table in --db (created on first write)'
__inlet_add commit -l dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'NDJSON table folder: part files + _manifest'
__inlet_add commit -l stdout -d 'console sink: rows to standard output'
__inlet_add commit -l mode -x -a 'append\t"add the rows (default)" overwrite\t"replace the table atomically with each batch" upsert\t"insert or update rows by --key (SQLite only)"' -d 'write mode'
__inlet_add commit -l key -x -d 'upsert key columns, comma-separated (e.g. window_start,customer_id)'
__inlet_add commit -l keep-batches -x -d 'commits/ entries kept (default 100)'
__inlet_add commit -l summary-only -d 'print only the summary at the end'
__inlet_add commit -s q -l quiet -d 'print neither progress nor summary'
__inlet_add commit -s h -l help -d 'show help'
__inlet_add commit -l version -d 'show the version'

# copy-into
__inlet_add copy-into -l db -r -F -d 'SQLite database (created when missing)'
__inlet_add copy-into -l table -x -d 'target table (created on first load)'
__inlet_add copy-into -s f -l format -x -a 'csv\t"comma-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from file names)'
__inlet_add copy-into -l header -x -a 'true\t"first line names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first line names the columns (default true)'
__inlet_add copy-into -s d -l delimiter -x -d 'CSV field delimiter (default comma)'
__inlet_add copy-into -l pattern -x -d 'only files whose name (or path below SOURCE) matches GLOB'
__inlet_add copy-into -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add copy-into -s m -l metadata -d 'add the _metadata column'
__inlet_add copy-into -l force -d 'load every file again, loaded before or not'
__inlet_add copy-into -s c -l checkpoint -x -a '(__fish_complete_directories (commandline -ct))' -d 'where to remember loaded files (default DB.inlet/TABLE)'
__inlet_add copy-into -s q -l quiet -d 'print no summary'
__inlet_add copy-into -s h -l help -d 'show help'
__inlet_add copy-into -l version -d 'show the version'

# ctas
__inlet_add ctas -l db -r -F -d 'SQLite database (created when missing)'
__inlet_add ctas -l table -x -d 'table to create or replace'
__inlet_add ctas -s f -l format -x -a 'csv\t"comma-separated values" json\t"one JSON object per line" text\t"one {\"value\": line} row per line"' -d 'input format (default: from file names)'
__inlet_add ctas -l header -x -a 'true\t"first line names the columns" false\t"columns are _c0, _c1, ..."' -d 'CSV: first line names the columns (default true)'
__inlet_add ctas -s d -l delimiter -x -d 'CSV field delimiter (default comma)'
__inlet_add ctas -l mode -x -a 'permissive\t"keep malformed records (default)" dropmalformed\t"drop malformed records" failfast\t"stop at the first malformed record"' -d 'what to do with malformed records'
__inlet_add ctas -s m -l metadata -d 'add the _metadata column'
__inlet_add ctas -s q -l quiet -d 'print no summary'
__inlet_add ctas -s h -l help -d 'show help'
__inlet_add ctas -l version -d 'show the version'
